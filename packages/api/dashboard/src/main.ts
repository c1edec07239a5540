import 'uplot/dist/uPlot.min.css';
import './app.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.js';
import { startSession } from './session.js';
import { applyTheme } from './theme.js';

applyTheme();
render(html`<${App} />`, document.getElementById('app')!);
startSession();
