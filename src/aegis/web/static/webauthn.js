/* Security keys (WebAuthn): asks the server for options, lets the browser talk to the key,
   and sends the key's answer with the form. Buttons: data-webauthn="create" or "get" and
   data-webauthn-options="<url of the options>"; the form holds a hidden input "webauthn". */
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creation(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: withIds(options.excludeCredentials)
    });
  }

  function request(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: withIds(options.allowCredentials)
    });
  }

  function answer(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: { clientDataJSON: toText(response.clientDataJSON) },
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return out;
  }

  function say(form, message) {
    var status = form.querySelector("[data-webauthn-status]");
    if (status) { status.textContent = message; }
  }

  function start(button) {
    var form = button.form;
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(form, "This browser cannot use security keys.");
      return;
    }
    if (!form.reportValidity()) { return; }
    var token = form.querySelector("input[name='csrf_token']").value;
    var creating = button.getAttribute("data-webauthn") === "create";
    say(form, "Touch your security key when it blinks…");
    fetch(button.getAttribute("data-webauthn-options"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error ? body.error.message : "The request was refused."); }
        return body.public_key;
      });
    }).then(function (options) {
      return creating
        ? navigator.credentials.create({ publicKey: creation(options) })
        : navigator.credentials.get({ publicKey: request(options) });
    }).then(function (credential) {
      form.querySelector("input[name='webauthn']").value = JSON.stringify(answer(credential));
      form.submit();
    }).catch(function (error) {
      say(form, error && error.name === "NotAllowedError"
        ? "The security key was not used (cancelled or timed out). Try again."
        : (error && error.message) || "The security key could not be used.");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-webauthn]");
    if (!button) { return; }
    event.preventDefault();
    start(button);
  });
})();
