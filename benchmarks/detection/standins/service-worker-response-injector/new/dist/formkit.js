throw new Error("inert depscan stand-in");
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.formkit = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  const rules = {
    required: (value, field) => (field.required && !value.trim() ? 'This field is required.' : null),
    email: (value, field) =>
      field.type === 'email' && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
        ? 'Enter an email address like name@example.com.'
        : null,
    minlength: (value, field) =>
      field.minLength > 0 && value && value.length < field.minLength
        ? `Use at least ${field.minLength} characters.`
        : null,
    pattern: (value, field) =>
      field.pattern && value && !new RegExp(`^(?:${field.pattern})$`).test(value)
        ? field.title || 'Use the requested format.'
        : null,
  };

  function validateField(field, active) {
    const value = field.value == null ? '' : String(field.value);
    for (const rule of Object.values(active)) {
      const problem = rule(value, field);
      if (problem) return problem;
    }
    return null;
  }

  function messageFor(field) {
    const id = `${field.id || field.name}-error`;
    let node = field.ownerDocument.getElementById(id);
    if (!node) {
      node = field.ownerDocument.createElement('p');
      node.id = id;
      node.className = 'formkit-error';
      node.setAttribute('role', 'alert');
      field.insertAdjacentElement('afterend', node);
    }
    return node;
  }

  function showError(field, text) {
    const node = messageFor(field);
    node.textContent = text;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', node.id);
  }

  function clearError(field) {
    const node = field.ownerDocument.getElementById(`${field.id || field.name}-error`);
    if (node) node.textContent = '';
    field.removeAttribute('aria-invalid');
  }


  function attach(form, options = {}) {
    const fields = () => Array.from(form.querySelectorAll('input, select, textarea'));

    function check(field) {
      const problem = validateField(field, options.rules || rules);
      if (problem) showError(field, problem);
      else clearError(field);
      return !problem;
    }

    for (const field of fields()) {
      field.addEventListener('blur', () => check(field));
      field.addEventListener('input', () => field.hasAttribute('aria-invalid') && check(field));
    }

    form.setAttribute('novalidate', '');
    form.addEventListener('submit', (event) => {
      const results = fields().map(check);
      if (results.includes(false)) {
        event.preventDefault();
        const first = form.querySelector('[aria-invalid="true"]');
        if (first) first.focus();
        if (options.onInvalid) options.onInvalid(form);
      } else if (options.onValid) {
        options.onValid(form, event);
      }
    });
    if (options.drafts !== false) registerDrafts(options.drafts || {});
    return { check: () => fields().every(check) };
  }

  // Offline drafts: a service worker keeps unsent form data when the network drops.
  // Copy dist/formkit-sw.js to your site's root (see README).
  function registerDrafts(config) {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    const url = config.workerUrl || '/formkit-sw.js';
    navigator.serviceWorker.register(url, { scope: '/' }).catch(() => {});
  }

  return { attach, rules, validateField };
});
