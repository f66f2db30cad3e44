import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { openIndexedDbStore } from '@shared/terminal-client';
import { App } from './App';
import './global.css';

// The store is opened once: the identity, the bundle, the offline queue and unresolved sales live there.
void openIndexedDbStore().then((store) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App store={store} />
    </StrictMode>,
  ),
);
