// The landing page's behaviour: the snippets name this gateway's address, accessible tabs
// (arrow keys, Home/End), copy buttons, and the live "try it" panel (try-it.js).
import { setUpTryIt } from './try-it.js';

function showThisGateway() {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return;
  for (const el of document.querySelectorAll('.base-url')) el.textContent = location.origin;
  for (const el of document.querySelectorAll('.host-text')) el.textContent = location.host;
}

function setUpTabs(root) {
  const tabs = [...root.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden = !selected;
    }
    if (focus) tab.focus();
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
    });
  });
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http on a non-local address is no secure context: fall back to a hidden textarea.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

function setUpCopyButtons() {
  const status = document.querySelector('.copy-status');
  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', async () => {
      const code = document.getElementById(button.dataset.copy);
      try {
        await copyText(code.textContent);
        button.textContent = 'Copied';
        status.textContent = 'Copied to the clipboard.';
      } catch {
        status.textContent = 'Copy failed: select the text and copy it by hand.';
      }
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    });
  }
}

showThisGateway();
for (const tabs of document.querySelectorAll('[data-tabs]')) setUpTabs(tabs);
setUpCopyButtons();
setUpTryIt(document);
