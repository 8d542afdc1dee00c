throw new Error("inert depscan stand-in");
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

export function showError(field, text) {
  const node = messageFor(field);
  node.textContent = text;
  field.setAttribute('aria-invalid', 'true');
  field.setAttribute('aria-describedby', node.id);
}

export function clearError(field) {
  const node = field.ownerDocument.getElementById(`${field.id || field.name}-error`);
  if (node) node.textContent = '';
  field.removeAttribute('aria-invalid');
}
