// @ts-check
/**
 * Building the page: elements with properties and children. Text always goes in as text
 * nodes (textContent), never as HTML, so whatever a person typed shows exactly as typed.
 */

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'required', 'readOnly', 'multiple', 'indeterminate', 'open']);

/**
 * @typedef {Node | string | number | null | undefined | false | any[]} Child
 */

/**
 * Append children: strings and numbers become text nodes.
 * @param {Element | DocumentFragment} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * An element: `h('button', {class: 'primary', onclick: go}, 'Save')`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any> | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * Replace an element's children.
 * @param {Element} el
 * @param {...Child} children
 */
export function replace(el, ...children) {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  el.replaceChildren(fragment);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
/** Icon outlines (24 x 24, stroked). */
const ICONS = {
  today: 'M4 10.5 12 4l8 6.5V20a1 1 0 0 1-1 1h-5v-6h-4v6H5a1 1 0 0 1-1-1z',
  plus: 'M12 5v14M5 12h14',
  learning: 'M12 21c-4-3-8-4-8-10a4 4 0 0 1 8 0 4 4 0 0 1 8 0c0 6-4 7-8 10zM12 11v10',
  lead: 'M5 21V4M5 4h11l-2 4 2 4H5',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 0 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 0 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 0 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 0 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
  back: 'M15 18l-6-6 6-6',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  cloud: 'M7 18h10a4 4 0 0 0 .5-8A6 6 0 0 0 6 9.5 4.3 4.3 0 0 0 7 18z',
  offline: 'M3 3l18 18M9.5 6.2A6 6 0 0 1 17.5 10a4 4 0 0 1 2.3 6.8M17 18H7a4.3 4.3 0 0 1-1-8.5',
  phone: 'M8 3h8a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM11 18h2',
  alert: 'M12 9v4M12 17h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  arrow: 'M9 6l6 6-6 6',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM16 16l4.5 4.5',
  sync: 'M20 11a8 8 0 0 0-14.9-3M4 5v4h4M4 13a8 8 0 0 0 14.9 3M20 19v-4h-4',
};

/**
 * A decorative icon (hidden from screen readers: its button or link carries the words).
 * @param {keyof typeof ICONS} name
 */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.appendChild(path);
  return svg;
}

let fieldCounter = 0;

/**
 * A labelled form control, with an optional hint under the label.
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  fieldCounter += 1;
  const id = control.id || `f${fieldCounter}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control);
}

/**
 * A row of single-choice chips (radio buttons that look like chips).
 * @param {string} legend
 * @param {{value: string, label: string}[]} options
 * @param {string} selected
 * @param {(value: string) => void} onchange
 * @param {{name?: string, hideLegend?: boolean, keepFocus?: boolean, className?: string}} [settings]
 */
export function chips(legend, options, selected, onchange, settings = {}) {
  fieldCounter += 1;
  const name = settings.name || `chips${fieldCounter}`;
  const set = h('fieldset', { class: ['chips', settings.className] },
    h('legend', { class: settings.hideLegend ? 'visually-hidden' : null }, legend));
  const row = h('div', { class: 'chip-row' });
  for (const option of options) {
    const input = h('input', {
      type: 'radio', name, value: option.value, checked: option.value === selected,
      onchange: () => onchange(option.value),
    });
    const chip = h('label', { class: 'chip', dataset: { value: option.value } }, input, h('span', null, option.label));
    // Keep the keyboard up on a phone: tapping a chip must not take focus from the text box.
    if (settings.keepFocus) chip.addEventListener('pointerdown', (event) => event.preventDefault());
    row.appendChild(chip);
  }
  set.appendChild(row);
  return set;
}

/**
 * Set which chip of a chip row is chosen.
 * @param {HTMLElement} set
 * @param {string} value
 */
export function choose(set, value) {
  for (const input of set.querySelectorAll('input')) input.checked = input.value === value;
}

/**
 * A short message at the bottom of the screen.
 * @param {string} message
 * @param {{tone?: 'info' | 'error'}} [options]
 */
export function toast(message, options = {}) {
  let region = document.getElementById('toasts');
  if (!region) {
    region = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(region);
  }
  const item = h('p', { class: ['toast', options.tone === 'error' ? 'toast-error' : null] }, message);
  region.appendChild(item);
  setTimeout(() => item.remove(), options.tone === 'error' ? 7000 : 3500);
}

/**
 * An empty-state paragraph.
 * @param {string} text
 */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/**
 * A section with a heading.
 * @param {string} title
 * @param {...Child} children
 */
export function section(title, ...children) {
  return h('section', { class: 'section' }, h('h2', null, title), ...children);
}

/**
 * @template T
 * @typedef {{key: string, item: T}} Keyed
 */

/**
 * Run `work` when the page is idle (soon, at the latest), so the screen's first frames stay
 * quick; browsers without idle callbacks wait one frame.
 * @param {() => void} work
 */
function later(work) {
  if ('requestIdleCallback' in window) window.requestIdleCallback(work, { timeout: 200 });
  else requestAnimationFrame(() => setTimeout(work, 0));
}

/**
 * The drawn items of a long list: each key's element and the signature it was drawn from.
 * @template T
 * @typedef {{list: HTMLElement, render: (item: T) => HTMLElement,
 *   drawn: Map<string, {signature: string, node: HTMLElement}>}} Drawing
 */

/**
 * The element of one item: the one drawn before if the item did not change.
 * @template T
 * @param {Drawing<T>} drawing
 * @param {Keyed<T>} entry
 */
function nodeFor(drawing, entry) {
  const signature = JSON.stringify(entry.item);
  const known = drawing.drawn.get(entry.key);
  if (known && known.signature === signature) return known.node;
  const node = drawing.render(entry.item);
  node.dataset.key = entry.key;
  drawing.drawn.set(entry.key, { signature, node });
  return node;
}

/**
 * Put the items from `from` to `to` in their places.
 * @template T
 * @param {Drawing<T>} drawing
 * @param {Keyed<T>[]} entries @param {number} from @param {number} to
 */
function place(drawing, entries, from, to) {
  const { list } = drawing;
  for (let index = from; index < to; index += 1) {
    const node = nodeFor(drawing, entries[index]);
    const there = list.children[index];
    if (there !== node) list.insertBefore(node, there || null);
  }
}

/**
 * Remove the elements, and forget the items, that are no longer in `entries`.
 * @template T
 * @param {Drawing<T>} drawing
 * @param {Keyed<T>[]} entries
 */
function prune(drawing, entries) {
  const keys = new Set(entries.map((e) => e.key));
  for (const child of [...drawing.list.children]) {
    const key = /** @type {HTMLElement} */ (child).dataset.key;
    if (!key || !keys.has(key)) child.remove();
  }
  for (const key of drawing.drawn.keys()) if (!keys.has(key)) drawing.drawn.delete(key);
}

/**
 * Draw the items from `next` on, a chunk between frames, as long as `current()` holds.
 * @template T
 * @param {Drawing<T>} drawing
 * @param {Keyed<T>[]} entries
 * @param {number} next
 * @param {number} chunk
 * @param {() => boolean} current
 */
function placeLater(drawing, entries, next, chunk, current) {
  const { list } = drawing;
  const finish = () => {
    while (list.children.length > entries.length) list.lastElementChild?.remove();
    list.dataset.complete = 'true';
  };
  const step = () => {
    if (!current()) return;
    place(drawing, entries, next, Math.min(next + chunk, entries.length));
    next += chunk;
    if (next < entries.length) later(step);
    else finish();
  };
  list.dataset.complete = 'false';
  if (next < entries.length) later(step);
  else finish();
}

/**
 * A long list drawn the quick way: the first items at once, the rest in chunks between
 * frames, keeping the element of every item that did not change. `list.dataset.count` is the
 * number of items (drawn or still to come); `list.dataset.complete` says all are drawn.
 * @template T
 * @param {HTMLElement} list
 * @param {(item: T) => HTMLElement} render
 * @param {{first?: number, chunk?: number, empty?: string}} [options]
 */
export function longList(list, render, options = {}) {
  const first = options.first || 50;
  const chunk = options.chunk || 150;
  /** @type {Drawing<T>} */
  const drawing = { list, render, drawn: new Map() };
  let generation = 0;

  /** @param {Keyed<T>[]} entries */
  return function draw(entries) {
    generation += 1;
    const mine = generation;
    list.dataset.count = String(entries.length);
    if (!entries.length) {
      drawing.drawn.clear();
      replace(list, options.empty ? h('li', { class: 'list-empty' }, empty(options.empty)) : null);
      list.dataset.complete = 'true';
      return;
    }
    prune(drawing, entries);
    place(drawing, entries, 0, Math.min(first, entries.length));
    placeLater(drawing, entries, first, chunk, () => mine === generation);
  };
}
