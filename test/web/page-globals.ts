/**
 * Types of the browser globals that the functions passed to `page.evaluate` use. Those
 * functions run in the page, but this project's root tsconfig has no DOM library (adding it
 * would change the types of Node's fetch and Buffer everywhere), so each one reads its globals
 * through `globalThis as unknown as PageWindow`. Types only: nothing here exists at run time,
 * which is what an in-page function needs (it cannot use the test's imports).
 */

export interface PageAttr {
  readonly name: string;
  readonly value: string;
}

export interface PageElement {
  readonly localName: string;
  readonly tagName: string;
  readonly attributes: Iterable<PageAttr>;
  readonly textContent: string | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
  getBoundingClientRect(): { left: number; right: number; width: number; top: number };
}

export interface PageCanvas extends PageElement {
  readonly width: number;
  readonly height: number;
  toDataURL(): string;
}

export interface PageScript extends PageElement {
  readonly src: string;
}

export interface PageDocument {
  readonly documentElement: PageElement;
  readonly body: PageElement;
  readonly activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
}

/** What the listeners read of an event (securitypolicyviolation events included). */
export interface PageEvent {
  readonly type: string;
  readonly effectiveDirective: string;
  readonly blockedURI: string;
  readonly sample: string;
}

export interface PageMutationObserver {
  observe(target: unknown, options: Record<string, boolean>): void;
  disconnect(): void;
}

export interface PageWindow {
  readonly document: PageDocument;
  readonly location: { readonly href: string };
  readonly innerWidth: number;
  readonly performance: { readonly timeOrigin: number; now(): number };
  WebSocket: unknown;
  MutationObserver: new (callback: () => void) => PageMutationObserver;
  requestAnimationFrame(callback: () => void): number;
  getComputedStyle(element: PageElement): { readonly backgroundColor: string };
  /** Values the tests' in-page functions keep between calls. */
  vigilTest?: Record<string, unknown>;
}
