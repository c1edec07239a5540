import 'uplot/dist/uPlot.min.css';
import './styles/theme.css';
import './styles/frame.css';
import './styles/table.css';
import './styles/app-view.css';
import './styles/dialogs.css';
import './styles/narrow.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.js';
import { startSession } from './session.js';
import { applyTheme } from './theme.js';

applyTheme();
render(html`<${App} />`, document.getElementById('app')!);
startSession();
