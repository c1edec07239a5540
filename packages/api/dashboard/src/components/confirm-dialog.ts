import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** A question the confirmation dialog asks. */
export interface Question {
  title: string;
  body: string;
  confirm: string;
}

let show: ((question: Question, answer: (yes: boolean) => void) => void) | null = null;

/** Asks a question in the page's dialog; resolves true when the user confirms. */
export function askConfirm(question: Question): Promise<boolean> {
  return new Promise((resolve) => {
    if (show) show(question, resolve);
    else resolve(window.confirm(`${question.title}\n${question.body}`));
  });
}

/** How long after a confirmation the focus follows its button (its action may disable or remove it). */
const REFOCUS_WAIT_MS = 10_000;
const REFOCUS_POLL_MS = 50;

/**
 * Keeps the focus on `opener`, the button that asked, while its action runs (it is disabled meanwhile,
 * and the focus falls to the page's body), and, when the action removed it (a stopped app's Stop), gives
 * it to the first button of its table row `row`. Stops once the user puts the focus somewhere else, the
 * row is gone (a deleted app) or after `REFOCUS_WAIT_MS`.
 */
function refocus(opener: HTMLElement, row: string | null): void {
  const deadline = Date.now() + REFOCUS_WAIT_MS;
  // true until the focus is given back, and again each time the button is disabled (busy): a focus that
  // left an enabled button was moved by the user (a click on the page), and is left there
  let isOwed = true;
  const attempt = () => {
    const active = document.activeElement;
    if (active !== null && active !== document.body && active !== opener) return;
    if (!opener.isConnected) {
      const selector = `[data-row="${CSS.escape(row ?? '')}"] button:not([disabled])`;
      if (row !== null) document.querySelector<HTMLButtonElement>(selector)?.focus();
      return;
    }
    if ((opener as HTMLButtonElement).disabled) isOwed = true;
    else if (active !== opener) {
      if (!isOwed) return;
      opener.focus();
      isOwed = false;
    } else isOwed = false;
    if (Date.now() < deadline) setTimeout(attempt, REFOCUS_POLL_MS);
  };
  // after the answer's render
  setTimeout(attempt, 0);
}

/**
 * The one confirmation dialog of the page (a modal `<dialog>`, Escape cancels); once it closes, the
 * focus goes back to what had it (the button that asked), not to the top of the page.
 */
export function ConfirmDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const [question, setQuestion] = useState<Question | null>(null);
  const answerRef = useRef<(yes: boolean) => void>(() => {});
  const openerRef = useRef<HTMLElement | null>(null);
  useEffect(() => {
    show = (q, answer) => {
      // taken now: by the time the dialog shows, the button that asked may be disabled (busy) and
      // the focus already fallen to the page's body
      openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      answerRef.current(false);
      answerRef.current = answer;
      setQuestion(q);
    };
    return () => {
      show = null;
    };
  }, []);
  useEffect(() => {
    if (question && ref.current && !ref.current.open) ref.current.showModal();
  }, [question]);
  const close = (yes: boolean) => {
    const answer = answerRef.current;
    answerRef.current = () => {};
    ref.current?.close();
    setQuestion(null);
    // keyboard users go on from where they were (a row's Stop), not from the page's first link
    const opener = openerRef.current;
    openerRef.current = null;
    answer(yes);
    if (opener) refocus(opener, opener.closest('[data-row]')?.getAttribute('data-row') ?? null);
  };
  return html`<dialog ref=${ref} class="confirm" onCancel=${(e: Event) => {
    e.preventDefault();
    close(false);
  }}>
    ${
      question &&
      html`<form method="dialog" onSubmit=${(e: Event) => {
        e.preventDefault();
        close(true);
      }}>
        <h2>${question.title}</h2>
        <p>${question.body}</p>
        <div class="dialog-buttons">
          <button type="button" class="btn" onClick=${() => close(false)}>Cancel</button>
          <button type="submit" class="btn danger" autofocus>${question.confirm}</button>
        </div>
      </form>`
    }
  </dialog>`;
}
