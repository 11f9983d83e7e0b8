// Passkeys and security keys (issue 16 §1): runs the WebAuthn ceremony of a form marked data-passkey
// ("register" or "sign-in"). The server's options come from the form's data-options address; the
// browser's answer goes back to the form's action as JSON, with the form's CSRF token. A module file,
// so the Content Security Policy stays script-src 'self'.
const post = async (url, body) => {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ?? String(response.status));
  return answer;
};

for (const form of document.querySelectorAll('form[data-passkey]')) {
  const error = form.querySelector('[data-passkey-error]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (error) error.hidden = true;
    const csrf = form.querySelector('input[name="_csrf"]')?.value ?? '';
    const register = form.dataset.passkey === 'register';
    try {
      const options = await post(form.dataset.options, { _csrf: csrf });
      const credential = register
        ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
        : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      const name = form.querySelector('input[name="name"]')?.value ?? '';
      const answer = await post(form.action, { _csrf: csrf, response: credential.toJSON(), ...(register ? { name } : {}) });
      window.location.assign(answer.redirect);
    } catch {
      if (error) {
        error.hidden = false;
        error.focus?.();
      }
    }
  });
}
