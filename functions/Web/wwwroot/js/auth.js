// Sign-in and sign-up pages.

import { h, field, formValues } from './dom.js';
import { signIn, signUp } from './api.js';
import { showError, showMessageError, clearError, clearFieldErrors, fieldError, busy } from './ui.js';

/** Only follow "next" to an in-app hash route (never to another site). */
function safeNext(query) {
  const next = query.get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') && !next.startsWith('/signup')
    ? next
    : '/collections';
}

export function signInPage({ view, query, navigate }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, testid: 'signin-email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, testid: 'signin-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'signin-submit' }, 'Sign in');
  const form = h('form', { class: 'card form narrow', testid: 'signin-form', novalidate: true },
    field('Email', email),
    field('Password', password),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    if (!email.value.trim()) return fieldError(form, email, 'Enter your email address.');
    if (!password.value) return fieldError(form, password, 'Enter your password.');
    try {
      await busy(submit, () => signIn({ email: email.value.trim(), password: password.value }));
      navigate(safeNext(query));
    } catch (err) {
      if (err.status === 401) {
        // Here a 401 means wrong credentials, not an expired session.
        showMessageError('The email or password is not right.');
        password.select();
      } else {
        showError(err, { form });
      }
    }
  });

  view.append(
    h('section', { class: 'auth-page' },
      h('h1', {}, 'Sign in'),
      h('p', { class: 'muted' }, 'Welcome back to Fathom.'),
      form,
      h('p', {}, 'No account yet? ', h('a', { href: '#/signup', testid: 'goto-signup' }, 'Create one'), '.')));
}

export function signUpPage({ view, navigate, flash }) {
  const displayName = h('input', { type: 'text', name: 'displayName', autocomplete: 'name', required: true, maxlength: 100, testid: 'signup-display-name' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, testid: 'signup-email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 10, testid: 'signup-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'signup-submit' }, 'Create account');
  const form = h('form', { class: 'card form narrow', testid: 'signup-form', novalidate: true },
    field('Display name', displayName),
    field('Email', email),
    field('Password', password, 'At least 10 characters.'),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const values = formValues(form);
    values.email = values.email.trim();
    values.displayName = values.displayName.trim();
    if (!values.displayName) return fieldError(form, displayName, 'Enter a display name.');
    if (!email.checkValidity() || !values.email) return fieldError(form, email, 'Enter a valid email address.');
    if (values.password.length < 10) return fieldError(form, password, 'Use at least 10 characters.');

    try {
      await busy(submit, () => signUp(values));
    } catch (err) {
      if (err.status === 409) {
        showError(Object.assign(err, { errors: { email: [err.detail || 'An account with this email already exists.'] } }), { form });
      } else {
        showError(err, { form });
      }
      return;
    }

    // The account exists now: sign in with the same credentials.
    try {
      await busy(submit, () => signIn({ email: values.email, password: values.password }));
      flash({ notice: `Welcome, ${values.displayName}! Your account is ready.` });
      navigate('/collections');
    } catch {
      flash({ notice: 'Your account is ready. Please sign in.' });
      navigate('/signin');
    }
  });

  view.append(
    h('section', { class: 'auth-page' },
      h('h1', {}, 'Create your account'),
      form,
      h('p', {}, 'Already have an account? ', h('a', { href: '#/signin', testid: 'goto-signin' }, 'Sign in'), '.')));
}
