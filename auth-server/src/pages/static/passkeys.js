// Passkeys (WebAuthn). Each form marked data-passkey ("register" or "authenticate") stays hidden
// unless this browser has passkeys. On submit it asks our server for the ceremony's options (a
// fresh, single-use challenge: POST data-options with the form's CSRF token), lets the browser run
// the ceremony (@simplewebauthn/browser, served by us as /static/simplewebauthn-browser.js) and
// posts the answer as the form's passkey_response field; the server checks it and answers with a
// page. No inline script: served from our origin.
const webauthn = globalThis.SimpleWebAuthnBrowser;

/** What the person reads when the ceremony did not end with an answer. */
function messageOf(error) {
  const name = error?.cause?.name ?? error?.name;
  if (error?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return 'This device already has a passkey for your account.';
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return 'No passkey was used (it was cancelled or took too long). Try again.';
  }
  return error?.fromServer ?? 'Passkeys did not work just now. Try again, or use another way to sign in.';
}

/** The ceremony's options, from our server. */
async function optionsFor(form) {
  const answer = await fetch(form.dataset.options, {
    method: 'POST',
    credentials: 'same-origin',
    body: new URLSearchParams({ _csrf: form.elements._csrf.value }),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok || !body.options) throw { fromServer: body.message };
  return body.options;
}

if (webauthn?.browserSupportsWebAuthn()) {
  for (const note of document.querySelectorAll('[data-passkey-unsupported]')) note.hidden = true;
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const status = form.querySelector('[data-passkey-status]');
    const button = form.querySelector('button[type="submit"]');
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      status.textContent = '';
      try {
        const optionsJSON = await optionsFor(form);
        const answer =
          form.dataset.passkey === 'register'
            ? await webauthn.startRegistration({ optionsJSON })
            : await webauthn.startAuthentication({ optionsJSON });
        form.elements.passkey_response.value = JSON.stringify(answer);
        form.submit();
      } catch (error) {
        status.textContent = messageOf(error);
        button.disabled = false;
      }
    });
  }
}
