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
