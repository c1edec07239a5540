import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { signIn } from '../session.js';
import { useDash } from '../store.js';

/** The one form asking for the API token (kept for this browser session only). */
export function TokenForm() {
  const auth = useDash((s) => s.auth);
  const [token, setToken] = useState('');
  const isChecking = auth === 'checking';
  return html`<main class="center">
    <form class="token-form panel" onSubmit=${(e: Event) => {
      e.preventDefault();
      if (token.trim()) void signIn(tokenOf(token));
    }}>
      <h1>Sign in to Velos</h1>
      <p>Paste an API token. The server created two in <code>$VELOS_HOME/api-tokens</code> (<code>~/.velos/api-tokens</code> by default) at its first start: the <b>admin</b> one can act, the <b>read</b> one only look.</p>
      <pre class="cmd">awk '$1=="admin"{print $2}' ~/.velos/api-tokens</pre>
      <label for="token">API token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" autofocus value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} aria-describedby="token-note" aria-invalid=${auth === 'refused'} />
      ${auth === 'refused' && html`<p class="form-error" role="alert">The server refused this token. Check that it is a whole line's token from the file of this server's home.</p>`}
      <p id="token-note" class="muted">Kept in this tab only (session storage), sent as a Bearer header.</p>
      <button type="submit" class="btn primary" disabled=${isChecking || !token.trim()}>${isChecking ? 'Checking…' : 'Sign in'}</button>
    </form>
  </main>`;
}

/** The token of what was pasted: a bare token, or a whole `admin <token>` line of the file. */
export function tokenOf(text: string): string {
  const line = /^\s*(?:admin|read)\s+(\S+)\s*$/.exec(text);
  return line ? line[1]! : text.trim();
}
