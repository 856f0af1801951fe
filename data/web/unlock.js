// ShareSync password page: served with 401 in place of a share page (/s/{token}) or a receive
// page (/r/{token}) until the browser has unlocked it.
//
// The server writes the whole page, the form's target and a wrong password's message
// included, so it works without this script; the script only keeps the address clean and
// the button from being pressed twice.

const form = document.getElementById('unlock-form');
const input = document.getElementById('password');
const message = document.getElementById('unlock-error');

// The address keeps no ?wrong=1, so a reload or a shared copy of it starts clean.
if (window.location.search !== '')
  history.replaceState(null, '', window.location.pathname);

input.addEventListener('input', () => {
  message.hidden = true;
  input.removeAttribute('aria-invalid');
});

// One submission at a time: a second press while the server answers would count as another try.
form.addEventListener('submit', () => {
  document.getElementById('unlock-submit').disabled = true;
});

// Coming back to this page from the history must not leave the button dead.
window.addEventListener('pageshow', () => {
  document.getElementById('unlock-submit').disabled = false;
});
