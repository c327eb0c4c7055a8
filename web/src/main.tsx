import { render } from 'preact';

import { App } from './shell/app';
import { applyInitialTheme } from './shell/theme';
import './styles/base.css';
import './styles/components.css';
import './styles/views.css';

applyInitialTheme();
const root = document.getElementById('app');
if (root) render(<App />, root);
