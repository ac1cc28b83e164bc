// Shows the page's passkey error message when a passkey ceremony fails or is cancelled,
// instead of failing silently (allauth's webauthn.js reports errors as an event).
(function () {
  'use strict'
  document.addEventListener('allauth.error', function (event) {
    const message = document.getElementById('passkey_error')
    if (message) {
      message.hidden = false
      event.preventDefault()
    }
  })
})()
