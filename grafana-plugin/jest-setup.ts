import '@testing-library/jest-dom';
import { TextDecoder, TextEncoder } from 'util';

// i18next (inside @grafana/ui) advertises itself on console.info at init.
const consoleInfo = console.info.bind(console);
console.info = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('i18next is made possible')) {
    return;
  }
  consoleInfo(...args);
};

// jsdom lacks a few browser APIs that Grafana's UI components call on render.
Object.assign(global, { TextDecoder, TextEncoder });

if (typeof window !== 'undefined') {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
  // Combobox sizes its menu from measured text; jsdom has no canvas, so
  // measure a fixed 7px per character.
  HTMLCanvasElement.prototype.getContext = (() => ({
    font: '',
    measureText: (text: string) => ({ width: text.length * 7 }),
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
  // Combobox menus are virtualised (@tanstack/react-virtual reads the
  // scroll element's client size): with jsdom's zero-sized boxes they would
  // render no option at all. Give every element a box large enough for the
  // longest option list of these editors.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  Element.prototype.scrollIntoView = function scrollIntoView() {};
  // Scroll indicators and menus observe their size and visibility; jsdom
  // lays nothing out, so the observers never report.
  class ObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  for (const name of ['ResizeObserver', 'IntersectionObserver']) {
    if (!(name in window)) {
      Object.assign(window, { [name]: ObserverStub });
    }
  }
}
