import { render } from 'preact';
import { adoptTokenFromUrl } from './api';
import { App } from './app';
import './styles.css';

adoptTokenFromUrl();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
