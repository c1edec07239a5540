import type { OptionSpelling } from '@velos/core';
import type { ApiRoute } from './route-types.js';

/**
 * How a REST route names an option an error's message hints at (`spellOptions`): a query parameter of
 * the route as `?limit=20`, anything else as the JSON key of a body (an app entry's too) with its
 * value, `force: true`; a payload field the route names otherwise (`fields`) by the route's name.
 */
export function restOptionSpelling(route: Pick<ApiRoute, 'query' | 'fields'>): OptionSpelling {
  return (hint) => {
    const name = route.fields?.[hint.option] ?? hint.option;
    const value = hint.value ?? true;
    if (route.query !== undefined && Object.hasOwn(route.query, name)) return `?${name}=${value}`;
    return `${name}: ${JSON.stringify(value)}`;
  };
}
