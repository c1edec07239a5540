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

/** The one confirmation dialog of the page (a modal `<dialog>`, Escape cancels). */
export function ConfirmDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const [question, setQuestion] = useState<Question | null>(null);
  const answerRef = useRef<(yes: boolean) => void>(() => {});
  useEffect(() => {
    show = (q, answer) => {
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
    answer(yes);
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
