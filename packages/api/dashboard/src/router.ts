import { useEffect, useState } from 'preact/hooks';

/** The views of the page. */
export type View = 'overview' | 'app' | 'logs' | 'events';

/** Where the page is: the view, the app it shows and its filters (all in the URL's hash). */
export interface Route {
  view: View;
  app: string | null;
  params: URLSearchParams;
}

/** Parses `#/app/web?range=24h` and the like. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  const params = new URLSearchParams(search);
  if (parts[0] === 'app' && parts[1]) return { view: 'app', app: parts[1], params };
  if (parts[0] === 'logs') return { view: 'logs', app: null, params };
  if (parts[0] === 'events') return { view: 'events', app: null, params };
  return { view: 'overview', app: null, params };
}

/** The hash of a route. */
export function routeHash(
  view: View,
  app?: string | null,
  params?: Record<string, string | undefined>,
): string {
  const path = view === 'app' ? `app/${encodeURIComponent(app ?? '')}` : view === 'overview' ? '' : view;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value) search.set(key, value);
  const text = search.toString();
  return `#/${path}${text ? `?${text}` : ''}`;
}

/** Goes to a view (a new history entry). */
export function navigate(view: View, app?: string | null, params?: Record<string, string | undefined>): void {
  location.hash = routeHash(view, app, params);
}

/** Changes filters of the current view in place (no new history entry, so Back leaves the view). */
export function setParams(changes: Record<string, string | undefined | null>): void {
  const route = parseRoute(location.hash);
  const params: Record<string, string> = Object.fromEntries(route.params);
  for (const [key, value] of Object.entries(changes)) {
    if (value) params[key] = value;
    else delete params[key];
  }
  history.replaceState(null, '', routeHash(route.view, route.app, params));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** A hook giving the current route, re-rendering on every change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** A path segment decoded (`%E6%B3%A8%E6%96%87` → `注文`); a malformed escape is kept as typed. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
