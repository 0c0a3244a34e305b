// Tokenward: progressive enhancement for the dashboard. Every feature here also works
// without JavaScript (plain forms, links to full pages); this file only makes it quicker.
// It runs under `script-src 'self'`: no inline handlers, no eval, listeners delegated from
// the document so content that htmx swaps in later is covered too.
(() => {
  'use strict';

  document.documentElement.classList.add('js');

  // htmx would inject an inline <style> for its indicators (blocked by our CSP; app.css has
  // those rules) and evaluate hx-on/js: expressions (blocked too). Turn both off here as
  // well as in the page's htmx-config meta, in case the meta is missing; this works because
  // the page loads this file after htmx.min.js and htmx applies its config on DOMContentLoaded.
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
  }

  // ---- Copy buttons: <button data-copy-target="id"> ----

  const copyTimers = new WeakMap();

  function selectContents(el, isField) {
    if (isField) {
      el.focus();
      el.select();
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(el);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function markCopied(button) {
    if (!copyTimers.has(button)) button.dataset.label = button.textContent;
    clearTimeout(copyTimers.get(button));
    button.textContent = 'Copied';
    button.dataset.copied = 'true';
    copyTimers.set(button, setTimeout(() => {
      button.textContent = button.dataset.label;
      delete button.dataset.copied;
      copyTimers.delete(button);
    }, 2000));
  }

  async function copy(button) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    const isField = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
    const text = (isField ? target.value : target.textContent).trim();
    try {
      // The clipboard API exists only in secure contexts (https or localhost).
      if (!navigator.clipboard) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(text);
    } catch {
      selectContents(target, isField); // the person can press Ctrl+C / Cmd+C
      return;
    }
    markCopied(button);
  }

  // ---- Dialogs ----

  function showDialog(dialog) {
    if (!(dialog instanceof HTMLDialogElement) || dialog.open || !dialog.isConnected) return;
    try {
      dialog.showModal();
    } catch (err) {
      console.warn('tokenward: cannot open dialog', dialog.id, err);
    }
  }

  // Opens every dialog[data-open-on-load] in root (or root itself) as a modal, such as the
  // one-time reveal of a new token. The server renders such dialogs with the open attribute so
  // that they show without JS too; an open but non-modal dialog is closed and reopened modal.
  function openPending(root) {
    if (!(root instanceof Element || root instanceof Document)) return;
    const selector = 'dialog[data-open-on-load]';
    const reopen = (dialog) => {
      if (dialog.open && !dialog.matches(':modal')) dialog.close();
      showDialog(dialog);
      // A one-time secret opens selected, ready for Ctrl+C as well as the Copy button.
      const secret = dialog.querySelector('[data-select-on-open]');
      if (secret) {
        selectContents(secret, false);
        // A reveal that came with a new page was opened from nowhere on it: closing it goes
        // to the token's row (or the create button), not to the top of the page.
        if (!opener?.isConnected) {
          const id = dialog.querySelector('[data-testid="reveal-id"]')?.textContent.trim();
          opener = (id && document.querySelector(`tr[data-token-id="${CSS.escape(id)}"] a`)) ||
            document.querySelector('[data-testid="create-token"]');
        }
      } else {
        focusFirstField(dialog);
      }
    };
    if (root instanceof Element && root.matches(selector)) reopen(root);
    root.querySelectorAll(selector).forEach(reopen);
  }

  // A dialog opens on its first field, not on its scrolling body (which the browser would
  // pick as the first focusable thing).
  function focusFirstField(dialog) {
    const field = dialog.querySelector('input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])');
    if (field) field.focus();
  }

  // Where a dialog was opened from, so closing it (Escape, Done, Cancel) puts focus back there,
  // even when the dialog that closes is a later one in the same slot, such as the reveal that
  // follows the create dialog. An opener folded away in a closed row menu gives the menu.
  let opener = null;
  document.addEventListener('click', (evt) => {
    const el = evt.target instanceof Element && evt.target.closest('a, button');
    if (el && !el.closest('dialog') && el.closest('[hx-target="#dialog-slot"], [data-dialog-open]')) opener = el;
  }, true);
  document.addEventListener('close', (evt) => {
    if (!(evt.target instanceof HTMLDialogElement)) return;
    setTimeout(() => {
      const lost = !document.activeElement || document.activeElement === document.body;
      if (!lost || !opener?.isConnected) return;
      const menu = opener.closest('details.menu:not([open])');
      (menu?.querySelector('summary') ?? opener).focus();
    }, 0);
  }, true);

  // ---- Bulk actions: a select-all box, and buttons that wait for a selection ----

  // Without JS the bulk buttons stay enabled (the server says when nothing was selected) and
  // the select-all box stays hidden, since it could not tick anything.
  function syncBulk() {
    const form = document.getElementById('bulk-form');
    if (!form) return;
    const boxes = Array.from(document.querySelectorAll('input[name="ids"][form="bulk-form"]'));
    const ticked = boxes.filter((b) => b.checked).length;
    form.querySelectorAll('button[type="submit"]').forEach((b) => { b.disabled = ticked === 0; });
    const all = document.querySelector('input[data-select-all]');
    if (!all) return;
    all.hidden = boxes.length === 0;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  document.addEventListener('change', (evt) => {
    const box = evt.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.matches('[data-select-all]')) {
      document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach((b) => { b.checked = box.checked; });
    } else if (!box.matches('input[name="ids"]')) {
      return;
    }
    syncBulk();
  });

  // ---- Expiry: the date field belongs to "On a date…" ----

  // "2026-12-08" as the server words dates: "Tue 8 Dec 2026".
  function formatDate(value) {
    const d = new Date(value + 'T00:00:00Z');
    if (Number.isNaN(d.getTime())) return '';
    return d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(/,/g, '');
  }

  // Shows and enables the date field only with "On a date…", and (when the person changed
  // something) says what the choice gives: each option carries the server's words for it.
  function syncExpiry(field, changed) {
    const select = field.querySelector('select[name="expiry"]');
    const wrap = field.querySelector('[data-expiry-date]');
    const date = wrap?.querySelector('input');
    const result = field.querySelector('.expiry-result');
    if (!select) return;
    const custom = select.value === 'custom';
    if (wrap && date) {
      wrap.hidden = !custom;
      date.disabled = !custom;
    }
    if (!changed || !result) return;
    const when = custom && date?.value ? formatDate(date.value) : '';
    result.textContent = when ? 'Expires on ' + when : (select.selectedOptions[0]?.dataset.result ?? '');
  }

  function initExpiry(root) {
    if (!(root instanceof Element || root instanceof Document)) return;
    root.querySelectorAll('[data-expiry-field]').forEach((field) => syncExpiry(field, false));
  }

  const onExpiryInput = (evt) => {
    const field = evt.target instanceof Element && evt.target.closest('[data-expiry-field]');
    if (!field) return;
    syncExpiry(field, true);
    if (evt.type === 'change' && evt.target.matches('select[name="expiry"]') && evt.target.value === 'custom') {
      field.querySelector('[data-expiry-date] input')?.focus();
    }
  };
  document.addEventListener('change', onExpiryInput);
  document.addEventListener('input', onExpiryInput);

  // ---- Times: the exact moment in the viewer's own time zone ----

  // Every <time class="moment"> comes with its exact time in UTC (title, data-exact); put the
  // viewer's local time there instead, which hover, focus and narrow screens show.
  function localTimes(root) {
    if (!(root instanceof Element || root instanceof Document)) return;
    root.querySelectorAll('time.moment[datetime]').forEach((el) => {
      const d = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(d.getTime())) return;
      const text = d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
        hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
      el.title = text;
      el.dataset.exact = text;
    });
  }

  // ---- Delegated listeners ----

  // Menus (<details class="menu">) close when a choice in them is taken, when the person
  // clicks elsewhere, or on Escape; without JS they close by their own summary.
  function closeMenus(except) {
    document.querySelectorAll('details.menu[open]').forEach((menu) => {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener('keydown', (evt) => {
    if (evt.key !== 'Escape') return;
    const open = document.activeElement?.closest('details.menu[open]');
    if (open) {
      open.open = false;
      open.querySelector('summary')?.focus();
    }
  });

  document.addEventListener('click', (evt) => {
    if (!(evt.target instanceof Element)) return;

    const menu = evt.target.closest('details.menu');
    closeMenus(menu);
    if (menu && evt.target.closest('.menu-items a, .menu-items button')) menu.open = false;

    const copyButton = evt.target.closest('button[data-copy-target]');
    if (copyButton) {
      evt.preventDefault(); // a copy button inside a form must not submit it
      copy(copyButton);
      return;
    }

    // Without JS, an opener link goes to a full page with the same form instead.
    const opener = evt.target.closest('[data-dialog-open]');
    if (opener) {
      const dialog = document.getElementById(opener.dataset.dialogOpen);
      if (dialog instanceof HTMLDialogElement && typeof dialog.showModal === 'function') {
        evt.preventDefault();
        showDialog(dialog);
      }
      return;
    }

    const closer = evt.target.closest('[data-dialog-close]');
    const dialog = closer && closer.closest('dialog');
    if (dialog) {
      evt.preventDefault();
      dialog.close();
    }
  });

  // Plain (non-htmx) forms: ask before a destructive submit. A submit button may carry
  // its own data-confirm (for example Revoke and Disable in one bulk form).
  document.addEventListener('submit', (evt) => {
    // htmx prevents the default of forms it handles and asks through htmx:confirm below.
    if (evt.defaultPrevented) return;
    const message = evt.submitter?.dataset.confirm ?? evt.target.dataset?.confirm;
    if (message && !window.confirm(message)) evt.preventDefault();
  });

  // htmx fires htmx:confirm before every request; only elements with data-confirm ask.
  document.addEventListener('htmx:confirm', (evt) => {
    const message = evt.detail.elt?.dataset?.confirm;
    if (!message) return;
    evt.preventDefault();
    if (window.confirm(message)) evt.detail.issueRequest(true);
  });

  // Selects that apply themselves: the org switcher and filters marked data-autosubmit.
  document.addEventListener('change', (evt) => {
    const select = evt.target;
    if (!(select instanceof HTMLSelectElement) || !select.form) return;
    if (!select.matches('select[data-autosubmit], .org-switcher select')) return;
    // requestSubmit (unlike submit) fires the submit event, so htmx and confirms see it.
    if (typeof select.form.requestSubmit === 'function') select.form.requestSubmit();
    else select.form.submit();
  });

  // A reveal that came as the answer to a plain POST (create, rotate, onboarding) would be
  // posted again by a reload, creating or rotating again and killing the secret just copied.
  // Turn the history entry into a GET of the page the reveal's Done link leads to.
  function forgetPost() {
    const done = document.querySelector('dialog#reveal a[data-dialog-close][href]');
    if (done && window.history.replaceState) window.history.replaceState(window.history.state, '', done.href);
  }

  // A whole token pasted into the search is answered with its hint in HX-Push-Url: show the
  // hint in the search box too, so the secret does not stay on screen.
  document.addEventListener('htmx:afterRequest', (evt) => {
    const form = evt.detail.elt;
    const pushed = evt.detail.xhr?.getResponseHeader('HX-Push-Url');
    if (!pushed || !(form instanceof HTMLFormElement)) return;
    const box = form.querySelector('input[name=q]');
    const hint = new URL(pushed, window.location.href).searchParams.get('q');
    if (!box || !hint || !hint.includes('\u2026')) return;
    const [head, tail] = hint.split('\u2026');
    const typed = box.value.trim();
    if (typed !== hint && typed.startsWith(head) && typed.endsWith(tail)) box.value = hint;
  });

  document.addEventListener('htmx:load', (evt) => { initExpiry(evt.detail.elt); localTimes(evt.detail.elt); syncBulk(); openPending(evt.detail.elt); });
  document.addEventListener('htmx:afterSettle', (evt) => openPending(evt.detail.elt));

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => { forgetPost(); initExpiry(document); localTimes(document); syncBulk(); openPending(document); });
  } else {
    forgetPost();
    initExpiry(document);
    localTimes(document);
    syncBulk();
    openPending(document);
  }
})();
