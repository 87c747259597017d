// A button marked data-print prints the page (its print stylesheet shows only what matters).
// Hidden until this script runs, so without JavaScript there is no button that does nothing.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
