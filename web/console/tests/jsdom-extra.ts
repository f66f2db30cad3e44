// What jsdom lacks beyond web/pos/tests/setup.ts and the console's antd components use: ResizeObserver (Modal, TextArea, Table).
if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

// jsdom has no canvas (ECharts measures label text with one): answer "no 2D context" quietly instead of jsdom's "Not implemented" noise.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

// jsdom's getComputedStyle cascades every rule of every stylesheet for each element, and antd's CSS-in-JS
// injects thousands; testing-library asks it for every ancestor of every element a role query visits. That
// made a console test 3-10 s. The console's tests need only what hides an element: its inline style (how
// antd's motion shows and hides dialogs, drawers and popups), antd's `*-hidden` classes (a closed dropdown
// or popover), and the `hidden` attribute (testing-library reads that itself). Layout values antd measures
// (TextArea's autosize, the scroll locker) read as empty, as they would in any headless layout-free DOM.
const HIDDEN_CLASS = /(^|\s)ant-[\w-]*-hidden(\s|$)/;
window.getComputedStyle = ((element: Element) => {
  const inline = (element as HTMLElement).style;
  if (!inline || !HIDDEN_CLASS.test(element.getAttribute('class') ?? '')) return inline ?? document.createElement('div').style;
  const style = document.createElement('div').style;
  style.cssText = inline.cssText;
  style.display = 'none';
  return style;
}) as typeof window.getComputedStyle;
