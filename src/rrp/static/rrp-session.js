// Warn two minutes before the session ends (30 idle minutes; typing does not count) and offer to stay
// signed in. Without JavaScript there is simply no warning: a form posted after the session ended is
// kept and shown again after signing in (issue 13), so nothing is lost either way.
const box = document.getElementById('session-warning')
if (box) {
  const seconds = Number(box.dataset.seconds)
  const warnBefore = 120
  const form = box.querySelector('form')
  const minutesLeft = box.querySelector('[data-minutes-left]')
  let warnTimer, endTimer

  const schedule = (total) => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(warn, Math.max(0, total - warnBefore) * 1000)
    endTimer = setTimeout(ended, total * 1000)
  }
  const warn = () => {
    box.hidden = false
    box.querySelector('button').focus()
  }
  const ended = () => {
    minutesLeft.textContent = 'Your session has ended. Anything you save now is kept while you sign in again.'
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const response = await fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      headers: { Accept: 'application/json' },
      credentials: 'same-origin'
    })
    if (response.ok && !response.redirected) {
      const answer = await response.json()
      box.hidden = true
      schedule(answer.seconds)
    } else {
      ended()
    }
  })
  schedule(seconds)
}
