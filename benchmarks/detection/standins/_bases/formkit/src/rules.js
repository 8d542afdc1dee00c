throw new Error("inert depscan stand-in");
export const rules = {
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

export function validateField(field, active) {
  const value = field.value == null ? '' : String(field.value);
  for (const rule of Object.values(active)) {
    const problem = rule(value, field);
    if (problem) return problem;
  }
  return null;
}
