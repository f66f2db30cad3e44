import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return <div>校园卡卡务中心</div>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
