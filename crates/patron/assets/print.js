// Paper forms open the print dialog once loaded (a file, not an inline onload, so the
// Content-Security-Policy can refuse inline scripts).
window.addEventListener("load", function () { window.print(); });
