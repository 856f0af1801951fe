// ShareSync password page: served with 401 in place of a share page (/s/{token}) or a receive
// page (/r/{token}) until the browser has unlocked it.
//
// The HTML is the same for every share, so the form's target comes from the address: the
// password goes to {page}/unlock, which sets the cookie and redirects back here. A wrong
// password comes back as ?wrong=1; too many attempts come back with HTTP 429.

const form = document.getElementById('unlock-form');
const input = document.getElementById('password');
const message = document.getElementById('unlock-error');

const match = /^\/([sr])\/([^/]+)\/?$/.exec(window.location.pathname);
if (match !== null)
  form.action = `/${match[1]}/${match[2]}/unlock`;

function showMessage(text) {
  message.textContent = text;
  message.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}

const navigation = performance.getEntriesByType?.('navigation')?.[0];
if (navigation?.responseStatus === 429)
  showMessage('Too many wrong passwords. Wait a minute, then try again.');
else if (new URLSearchParams(window.location.search).get('wrong') === '1')
  showMessage('That password is not right. Try again.');

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
