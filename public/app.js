// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  const summary = document.querySelector('[data-focus-on-load]');
  if (summary instanceof HTMLElement) summary.focus();
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.getAttribute('data-confirm') ?? '')) event.preventDefault();
    });
  }
  for (const box of document.querySelectorAll('[data-rich-editor]')) richEditor(box);
  navMenus();
});

/** The navigation's menus: one open at a time, closed by Escape (focus back on it) or a click elsewhere. */
function navMenus() {
  const menus = [...document.querySelectorAll('details[data-nav-menu]')];
  for (const menu of menus) {
    menu.addEventListener('toggle', () => {
      if (menu.open) for (const other of menus) if (other !== menu) other.open = false;
    });
    menu.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !menu.open) return;
      menu.open = false;
      menu.querySelector('summary')?.focus();
    });
  }
  document.addEventListener('click', (event) => {
    for (const menu of menus) if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}

/**
 * A small rich-text editor over a textarea of HTML: headings, bold, italic, lists, links and the
 * commune's pictures, on phones too. The textarea keeps the HTML (the server sanitizes it); without
 * JavaScript the textarea itself is the editor.
 */
function richEditor(box) {
  const textarea = box.querySelector('textarea');
  if (!textarea) return;
  const labels = JSON.parse(box.getAttribute('data-labels') || '{}');
  const area = document.createElement('div');
  area.className = 'rich-area';
  area.contentEditable = 'true';
  area.setAttribute('role', 'textbox');
  area.setAttribute('aria-multiline', 'true');
  area.setAttribute('aria-labelledby', `${textarea.id}-label`);
  const label = box.querySelector(`label[for="${textarea.id}"]`);
  if (label) label.id = `${textarea.id}-label`;
  area.innerHTML = textarea.value;
  const sync = () => (textarea.value = area.innerHTML);
  const toolbar = document.createElement('div');
  toolbar.className = 'rich-toolbar';
  toolbar.setAttribute('role', 'toolbar');
  const button = (text, run) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', () => {
      area.focus();
      run();
      sync();
    });
    toolbar.append(b);
  };
  button(labels.h2 || 'H2', () => document.execCommand('formatBlock', false, 'h2'));
  button(labels.b || 'B', () => document.execCommand('bold'));
  button(labels.i || 'I', () => document.execCommand('italic'));
  button(labels.ul || '•', () => document.execCommand('insertUnorderedList'));
  button(labels.ol || '1.', () => document.execCommand('insertOrderedList'));
  button(labels.link || 'Link', () => {
    const href = window.prompt(labels.link_prompt || 'https://', 'https://');
    if (href && /^(https?:|mailto:|tel:)/.test(href)) document.execCommand('createLink', false, href);
  });
  area.addEventListener('input', sync);
  textarea.form?.addEventListener('submit', sync);
  textarea.hidden = true;
  box.append(toolbar, area);
  for (const insert of document.querySelectorAll('[data-insert-image]')) {
    insert.hidden = false;
    insert.addEventListener('click', () => {
      area.focus();
      const img = `<img src="${insert.getAttribute('data-insert-image')}" alt="${(insert.getAttribute('data-alt') || '').replace(/"/g, '&quot;')}">`;
      document.execCommand('insertHTML', false, img);
      sync();
    });
  }
}
