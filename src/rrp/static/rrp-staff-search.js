// The staff section: a search box that narrows the lists of staff to names or job titles that match.
// Without JavaScript the box stays hidden and every name is listed (issue 13).
const box = document.querySelector('.rrp-staff-search')
if (box) {
  const input = box.querySelector('input')
  const items = [...document.querySelectorAll('#staff-lists .nhsuk-checkboxes__item')]
  box.hidden = false
  input.addEventListener('input', () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean)
    for (const item of items) {
      const checkbox = item.querySelector('input')
      const name = checkbox.dataset.staffName || ''
      const match = checkbox.checked || words.every((word) => name.includes(word))
      item.hidden = !match
      const conditional = document.getElementById(checkbox.getAttribute('data-aria-controls') || '')
      if (conditional && !match) conditional.hidden = true
      if (conditional && match) conditional.hidden = false
    }
  })
}
