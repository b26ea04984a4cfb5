// Progressive "Show password": each password field gets a button that shows or hides what was
// typed. Without JavaScript the fields work as they are. No inline script: served from our origin.
for (const input of document.querySelectorAll('input[type="password"]')) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary show-password';
  // One name, its state in aria-pressed: "Show password" pressed means it is shown.
  button.textContent = 'Show password';
  button.setAttribute('aria-controls', input.id);
  button.setAttribute('aria-pressed', 'false');
  button.addEventListener('click', () => {
    const shown = input.type === 'password';
    input.type = shown ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(shown));
  });
  const row = document.createElement('div');
  row.className = 'password-row';
  input.replaceWith(row);
  row.append(input, button);
}
