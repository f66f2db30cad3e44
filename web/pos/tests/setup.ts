import { configure } from '@testing-library/react';

// A screen's code is loaded on demand and antd animates its dialogs: on a loaded 2-core machine that
// takes longer than testing-library's 1 s default to appear.
configure({ asyncUtilTimeout: 5_000 });

// What jsdom lacks and Ant Design reads: media queries (responsive grid) and a computed style for scrollbars.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({ matches: false, media: query, onchange: null, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {}, dispatchEvent: () => false }) as MediaQueryList;
}

// jsdom computes no pseudo-element styles (Ant Design's scroll locker asks for ::-webkit-scrollbar): answer the element's own.
const computedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element, pseudoElement?: string | null) => (pseudoElement ? computedStyle(element) : computedStyle(element));
