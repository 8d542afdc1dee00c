throw new Error("inert depscan stand-in");
import { rules, validateField } from './rules.js';
import { showError, clearError } from './messages.js';

export function attach(form, options = {}) {
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
  return { check: () => fields().every(check) };
}

export { rules };
