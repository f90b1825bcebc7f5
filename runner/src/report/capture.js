// The page's first script: every console error, uncaught error, unhandled rejection and
// blocked load from here on is kept in window.reportErrors, which the self-test reads.
(function () {
  "use strict";
  var errors = (window.reportErrors = []);
  var original = console.error;
  console.error = function () {
    errors.push("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
  window.addEventListener("error", function (e) {
    errors.push("uncaught: " + e.message + " (" + e.filename + ":" + e.lineno + ")");
  });
  window.addEventListener("unhandledrejection", function (e) {
    errors.push("unhandled rejection: " + e.reason);
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    errors.push("blocked: " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
})();
