// Draw every chart on the page from the Vega-Lite spec the server put beside it.
// The page is complete without this script: each chart's description and data table are in the HTML.
// `ast: true` makes Vega interpret expressions instead of compiling them with `new Function`, so the
// strict Content Security Policy (no 'unsafe-eval') holds.
(function () {
  function draw (figure) {
    var source = document.getElementById(figure.getAttribute('data-rrp-chart'))
    var target = figure.querySelector('.rrp-chart__canvas')
    if (!source || !target || typeof window.vegaEmbed !== 'function') { return }
    var spec = JSON.parse(source.textContent)
    spec.width = 'container'
    // The figure's heading carries the title and the Making Data Count icons, and the list under the
    // chart the key to its numbered markers, so the drawing leaves them out and the plot keeps its
    // width on a phone. Downloads and the board pack draw the whole spec.
    delete spec.title
    if (spec.layer) {
      spec.layer = spec.layer.filter(function (layer) { return !(layer.name && layer.name.indexOf('rrp-icon') === 0) })
    }
    window.vegaEmbed(target, spec, { ast: true, actions: false, renderer: 'svg' })
      .then(function (result) {
        var svg = target.querySelector('svg')
        if (svg) {
          svg.setAttribute('role', 'img')
          svg.setAttribute('aria-label', figure.querySelector('.rrp-chart__description').textContent.trim())
        }
        figure.setAttribute('data-rrp-chart-drawn', 'true')
        return result
      })
      .catch(function (error) {
        figure.setAttribute('data-rrp-chart-drawn', 'failed')
        if (window.console) { window.console.error(error) }
      })
  }
  function drawAll (root) {
    var figures = (root || document).querySelectorAll('figure[data-rrp-chart]:not([data-rrp-chart-drawn])')
    for (var i = 0; i < figures.length; i++) { draw(figures[i]) }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { drawAll() })
  } else {
    drawAll()
  }
  // Charts that htmx swaps in are drawn too.
  document.addEventListener('htmx:afterSettle', function (event) { drawAll(event.target) })
})()
