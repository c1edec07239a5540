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
    // after the answer's render, which enables the button again (a deleted app's button is gone)
    setTimeout(() => {
      if (opener?.isConnected && !(opener as HTMLButtonElement).disabled) opener.focus();
    }, 0);
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
