"""The UI's words in one place: every sentence a dialog, menu or panel shows.

Pure (no Qt). Front-end code shows these through ``tr`` (``self.tr(W.NAME)``); ``%s`` and
``%d`` are filled by the caller, ``{name}`` fields with ``str.format``. Error wording is a
table keyed on the error's cause (``ERRORS``), picked in ``error_words.describe``. Texts a
test or a screenshot pins are written here exactly as they are shown.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------------------- errors
#
# One row per cause, by ``Cause`` value (the deck imports nothing, so a host app's
# controller loads it for free): (title, sentence, advice, Try Again can help, a warning
# not a failure). Fields: {failed} "Could not check for updates" or "Download failed",
# {host}, {server} / {Server} (the update or download server, named when known),
# {status} ("404 Not Found"), {missing} (what a 404 lacked), {in_settings} (" in
# Settings…", or nothing where the host app has no such menu item), {product}.

FAILED_CHECK = "Could not check for updates"
FAILED_DOWNLOAD = "Download failed"
UPDATE_SERVER = "the update server"
DOWNLOAD_SERVER = "the download server"
NAMED_UPDATE_SERVER = "the update server {host}"
NAMED_DOWNLOAD_SERVER = "the download server {host}"
MISSING_FILE = "The update file"
MISSING_INFORMATION = "The update information"
IN_SETTINGS = " in {label}"

ERRORS: dict[str, tuple[str, str, str, bool, bool]] = {  # by Cause value
    "proxy": (
        "{failed}",
        "Your proxy {host} could not be reached or would not connect to the server.",
        "Check that the proxy is running and that its address{in_settings} is right.",
        True, False,
    ),
    "proxy-auth": (
        "{failed}",
        "Your proxy {host} did not accept the user name and password.",
        "Check the proxy user name and password{in_settings}.",
        False, False,
    ),
    "dns": (
        "{failed}",
        "The address of {host} could not be found.",
        "Check that this computer is online. If it is, the address may be wrong: "
        "tell the publisher.",
        True, False,
    ),
    "refused": (
        "{failed}",
        "{Server} refused the connection.",
        "The server may be down for a while. Try again later.",
        True, False,
    ),
    "offline": (
        "{failed}",
        "This computer could not reach the network.",
        "Check that this computer is online, then try again.",
        True, False,
    ),
    "timeout": (
        "{failed}",
        "{Server} did not answer in time.",
        "The network or the server may be slow. Try again in a moment.",
        True, False,
    ),
    "slow": (
        "{failed}",
        "The answer from {server} came too slowly and was stopped.",
        "Try again when the connection is better.",
        True, False,
    ),
    "connection-lost": (
        "{failed}",
        "The connection to {server} broke before the answer was complete.",
        "Try again.",
        True, False,
    ),
    "http-not-found": (
        "{failed}",
        "{missing} was not found on {server} ({status}).",
        "Trying again will not help; tell the publisher.",
        False, False,
    ),
    "http-server": (
        "{failed}",
        "{Server} had a problem of its own ({status}).",
        "This is on the server's side. Try again later.",
        True, False,
    ),
    "http-status": (
        "{failed}",
        "{Server} gave an unexpected answer ({status}).",
        "If it happens again, tell the publisher.",
        True, False,
    ),
    "certificate": (
        "{failed}",
        "The security certificate of {host} is not valid, so nothing was sent.",
        "On a network that inspects secure traffic (some workplaces, hotels), ask its "
        "administrator; otherwise tell the publisher.",
        False, False,
    ),
    "tls": (
        "{failed}",
        "A secure connection to {host} could not be set up, so nothing was sent.",
        "Try again later; if it persists, tell the publisher.",
        True, False,
    ),
    "too-large": (
        "{failed}",
        "{Server} sent more data than allowed, so it was stopped.",
        "Tell the publisher; trying again will not help.",
        False, False,
    ),
    "redirect": (
        "{failed}",
        "{Server} sent the updater somewhere it may not go.",
        "Nothing was requested there. Tell the publisher.",
        False, False,
    ),
    "stale": (
        "Update information is stale",
        "The publisher's signed update information has expired, so it cannot be "
        "relied on to update {product}.",
        "Check that this computer's date and time are right. If they are, try again "
        "later; if it persists, tell the publisher.",
        True, True,
    ),
    "verification": (
        "Download refused",
        "The download did not match what the publisher signed, so it was deleted.",
        "Nothing was installed. Try again; if it happens again, tell the publisher.",
        True, False,
    ),
    "feed-refused": (
        "Update information refused",
        "The update information failed its signature check and was refused.",
        "Nothing was downloaded or changed. Tell the publisher: the server may be "
        "misconfigured or tampered with.",
        False, False,
    ),
    "busy": (
        "Check in Progress",
        "Another check or download is already running.",
        "Wait for it to finish, then try again.",
        False, True,
    ),
    "storage": (
        "Could not save",
        "A file of the updater on this computer could not be written.",
        "Check that the disk has free space, then try again.",
        True, False,
    ),
    "policy": (
        "Updates are managed by your administrator",
        "Updates are managed by your administrator.",
        "Nothing was sent. Your administrator's policy decides how this computer gets "
        "updates; ask them if you need a newer version.",
        False, True,
    ),
    "bundle": (
        "Update file refused",
        "This file is not a complete, valid update bundle, so nothing was installed.",
        "Nothing was changed and nothing was sent. Ask whoever provided the file for a "
        "new copy.",
        False, False,
    ),
    "config": (
        "Nothing was sent",
        "The update settings are not valid, so nothing was sent.",
        "Fix the setting named in Details{in_settings}, or tell the publisher.",
        False, False,
    ),
    "install": (
        "Could not install",
        "The update could not be installed.",
        "{product} was left as it was. The reason is in Details.",
        False, False,
    ),
    "network": (
        "{failed}",
        "{Server} could not be reached.",
        "Check that this computer is online, then try again.",
        True, False,
    ),
}
ERROR_OTHERWISE = (
    "Update failed",
    "Something went wrong, and nothing was changed.",
    "Try again; if it happens again, report the text in Details.",
    True, False,
)


# ----------------------------------------------------------- the update flow: results (driver.py)
NO_UPDATE_AVAILABLE = "No Update Available"
VERSION_WITHDRAWN_BY = "Version %s was withdrawn by the publisher"
UP_TO_DATE_VERSION = "You're up to date (version %s)"


# -------------- the update flow's dialogs (dialogs.py, flow_dialog.py, progress_dialogs.py)
WHAT_WAS_SENT = "What Was Sent…"
SHOW_EXACTLY_WHAT = "Show exactly what was sent"
DETAILS = "Details"
SHOW_TECHNICAL_DETAILS = "Show technical details"
TECHNICAL_DETAILS = "Technical details"
CHECKING_TITLE = "Checking for Updates"
CHECKING = "Checking for updates…"
CHECKING_BAR = "Checking for updates"
CANCELLING = "Cancelling…"
DOWNLOADING_UPDATE = "Downloading Update"
STARTING_DOWNLOAD = "Starting download…"
DOWNLOAD_PROGRESS = "Download progress"
SOFTWARE_UPDATE = "Software Update"
CANNOT_INSTALL_NOTE = "Download it from the publisher's website, or ask whoever installed it."
YOU_HAVE_VERSION_RELEASED = "You have version %s. Released %s."
YOU_SKIPPED_VERSION = "You skipped this version. It is shown because you asked to check."
CRITICAL_UPDATE_PUBLISHER = "Critical update: the publisher recommends installing it."
CRITICAL_UPDATE = "Critical update"
RELEASE_NOTES = "Release notes"
NOTES_SHORTENED = "These notes are long and were shortened; the publisher's page has all of it."
SKIP_VERSION = "Skip This Version"
STOP_SKIPPING = "Stop Skipping"
DOWNLOAD_UPDATE = "Download Update"
SKIP_VERSION_REMEMBERED = "Skip this version; remembered on this computer only"
STOP_SKIPPING_VERSION = "Stop skipping this version; it is offered again"
NOT_NOW_NOTHING = "Not now; nothing is stored and nothing reminds you"
DOWNLOAD_UPDATE_YOU = "Download the update; you are asked before installing"
VERSION_NO_LONGER = "This version is no longer skipped."
READY_TITLE = "Ready to Install"
SEND_REQUEST = "Send This Request?"
SEND_BUTTON = "Send"
SEND_REQUEST_NOW = "Send this request now"
INSTALLING_UPDATE = "Installing Update"
INSTALLING = "Installing"
TRY_AGAIN_BUTTON = "Try Again"
TRY_AGAIN_NOW = "Try again now"
BYTES_OF_TOTAL = "%s of %s"
PER_SECOND = "%s/s"
NOT_NOW_BUTTON = "Not Now"
CLOSE_BUTTON = "Close"
READY_HEADING = "%s %s is ready to install"
INSTALL_BUTTON = "Install"
THESE_EXACT_BYTES = "These exact bytes will be sent"
ABOUT_LEFT = "about %s left"
BUT_COPY_CANNOT = ", but this copy cannot update itself"
YOUR_VERSION_WITHDRAWN = "Your version %s was withdrawn by the publisher: %s"
RELEASE_NOTES_HEADING = "Release notes:"
HANDING_OVER_INSTALLER = "Handing %s over to the installer…"
GO_BACK_NEWEST = "Go back to %s %s, the newest good version"
UPDATE_AVAILABLE_HEADING = "%s %s is available"
RELEASE_NOTES_RELEASES = "Release notes of the %d releases since yours, newest first:"
DOWNLOAD_MATCHES_SIGNED = (
    "The download matches the size and SHA-256 fingerprint the publisher signed "
    "(%s…)."
)
NOTHING_SENT_YET_TO = "Nothing has been sent yet. To: %s"
THROUGH_PROXY = ", through the proxy %s"


# -------------------------------------------------------------------- shared widgets (widgets.py)
TEXT_TAB = "Text"
HEX_TAB = "Hex"
SHOW_PROXY_CREDENTIALS = "Show proxy credentials"
SHOW_PROXY_CREDENTIALS_THESE = "Show proxy credentials in these bytes"
BYTES_SENT_PER = "Bytes sent, per channel"
AS_TEXT = "%s as text"
AS_HEXADECIMAL = "%s as hexadecimal"
NOTHING_LOWER = "nothing"
NOTHING_SENT = "(nothing was sent)"
NOTHING_SENT_TITLE = "Nothing sent"


# ---------------------------------- menu items and windows (controller.py, update_windows.py)
INSTALL_UPDATE_FROM = "Install an Update from a File"
UPDATES_TITLE = "Updates"
CHECK_FOR_UPDATES_MENU = "Check for Updates…"
INSTALL_FROM_FILE_MENU = "Install from File…"
WHAT_IS_SENT_MENU = "What Is Sent…"
UPDATE_SETTINGS_MENU = "Update Settings…"
ABOUT_UPDATES_MENU = "About Updates && Privacy"
UPDATE_BUNDLES_GLASSBUNDLE = "Update bundles (*.glassbundle)"
ALL_FILES = "All files (*)"


# -------------------------------------------------------------------------- the tray app (app.py)
SETTINGS_MENU = "Settings…"
ABOUT_MENU = "About && Privacy"
QUIT_MENU = "Quit"
NOTHING_SENT_UNTIL = "Nothing is sent until you click “Check for Updates”."
PRODUCT_UPDATES_TITLE = "%s — Updates"
PRODUCT_AND_VERSION = "%s %s"
UPDATES_NOTHING_SENT = "%s updates — nothing is sent until you check"
GLASS_UPDATER_ALREADY = "Glass Updater is already running here."


# ------------------------------------------------------------------------------- About (about.py)
ABOUT_TITLE = "About & Privacy"
PRIVACY_STATEMENT = "Privacy statement"
ABOUT_VERSIONS = (
    "<b>%s %s</b><br>Updates by Glass Updater %s<br>Python %s · Qt %s · PySide6 "
    "%s<br>Allowlist SHA-256: <tt>%s</tt>"
)
ABOUT_ADMINISTRATOR = "<br>Administrator: %s"
ABOUT_CHECK_REQUEST = (
    "<br>Check request SHA-256 (the same for everyone on this version): <tt>%s</tt>"
)


# ------------------------------------------------------------------ Settings (settings_dialog.py)
SETTINGS_TITLE = "Settings"
THESE_SETTINGS_STORED = "These settings are stored on this computer only and never sent."
UPDATE_CHANNEL = "Update channel"
CHANNEL = "&Channel:"
PROXY = "Proxy"
PROXY_HOST = "Proxy host"
PROXY_PORT = "Proxy port"
PROXY_USER_NAME = "Proxy user name (optional)"
PROXY_PASSWORD_OPTIONAL = "Proxy password (optional)"
HOST = "&Host:"
PORT = "&Port:"
USER = "&User:"
PASS_WORD = "Pass&word:"
CREDENTIALS_SENT_ONLY = "Credentials are sent only to the proxy, never to the update server."
ASK_BEFORE_EVERY = "&Ask before every check (show the exact bytes first)"
ASK_BEFORE_EVERY_CHECK = "Ask before every check"
STOP_SKIPPING_SKIPPED = "Stop skipping the skipped version"
CLEAR_HISTORY = "Clear History…"
CLEAR_LOCAL_HISTORY = "Clear the local history of requests"
NO_VERSION_SKIPPED = "No version is skipped."
CLEAR_HISTORY_TITLE = "Clear History"
DELETE_LOCAL_RECORD = "Delete the local record of every request sent? This cannot be undone."
PUBLISHER_DEFAULT = "Publisher default (%s)"
USE_SYSTEM_PROXY = "Use the system proxy settings"
NO_PROXY = "No proxy"
MANUAL_HTTP_PROXY = "Manual HTTP proxy:"
SOCKS_PROXY_THAT = "SOCKS5 proxy that looks names up itself (Tor: 127.0.0.1, port 9050):"
REQUIRED_BY_YOUR = "Required by your administrator"
ENTER_PROXY_HOST = "Enter the proxy's host name, or choose another option."
PROXY_SET_BY = "Proxy set by your administrator: %s"
SKIPPED_VERSION_CHECK = "Skipped version: %s (a check shows it, marked as skipped)"


# -------- What Is Sent (payload_panel.py, preview_tab.py, history_tab.py, history_rows.py)
WHAT_IS_SENT_TITLE = "What Is Sent"
NEXT_REQUEST_HISTORY = "Next request and history"
NEXT_REQUEST = "Next Request"
HISTORY = "History"
STATUS = "Status"
REQUEST = "&Request:"
WHICH_REQUEST_PREVIEW = "Which request to preview"
NEXT_CHECK = "The next check"
READING_ALLOWLIST = "Reading the allowlist…"
EXACT_BYTES_NEXT = "Exact bytes of the next request"
FIELDS_NEXT_REQUEST = "Fields of the next request and their purpose"
ASK_BEFORE_EVERY_CHECK_SHOW = "Ask before every check (show these bytes and wait for Send)"
COPY_BUTTON = "Copy"
COPY_NEXT_REQUEST = "Copy the next request's bytes"
HISTORY_REQUESTS_SENT = "History of requests sent"
NO_REQUEST_HAS = "No request has been sent yet."
EXACT_BYTES_SENT = "Exact bytes sent in the selected exchange"
COPY_SELECTED_EXCHANGE = "Copy the selected exchange's bytes"
COMPARE_PREVIOUS = "Compare with Previous"
COMPARE_PREVIOUS_REQUEST = "Compare with the previous request"
ALLOWLIST_SHA = "Allowlist SHA-256: %s"
DOWNLOAD_OF = "The download of %s"
PREVIEW_CHECK_NOTE = (
    "Nothing has been sent. These are the exact bytes the next check will send to "
    "%s%s, and nothing else."
)
NO_RESPONSE = "no response"
EXCHANGE_SUMMARY = (
    "%s %s%s — answer: %s, %s received in %s%s. Outcome: %s\n"
    "Response headers: %s"
)
DIFFERENCES_BETWEEN_TWO = "Differences between the two requests"
EXPORT_HISTORY = "Export History"
FIELD = "Field"
WHERE = "Where"
VALUE = "Value"
PURPOSE = "Purpose"
TIME = "Time"
KIND = "Kind"
URL = "URL"
RECEIVED = "Received"
DURATION = "Duration"
OUTCOME = "Outcome"
PREVIEW_DOWNLOAD_NOTE = (
    "Nothing has been sent. These are the exact bytes a download of %s will send to "
    "%s%s, and nothing else (a resumed download adds Range and If-Range)."
)
YOUR_PROXY_CREDENTIALS = "(your proxy credentials, sent only to the proxy)"
VIA_PROXY = " via proxy %s"
EXCHANGE_NO_ANSWER = "%s %s%s — no answer (nothing received) after %s. Outcome: %s"
FROM_HOST = " from %s"
COMPARE_TITLE = "Compare: %s with %s"
ONE_EXCHANGE = "1 exchange"
ADMINISTRATOR = "Administrator: %s"
CHECK_WOULD_SEND = "A check would send nothing: %s"
COPIED_BYTES_CLIPBOARD = "Copied the %s (%d bytes) to the clipboard."
COPIED_REQUEST_BYTES = "Copied the request (%d bytes) to the clipboard."
COULD_NOT_EXPORT = "Could not export to %s: %s"
EXCHANGES = "%d exchanges"
EXPORTED = "Exported %s to %s"


# ------------------------------------------------------------------- beside an offer, and Install
DOWNLOAD_NOTE = (
    "Download: {size} from {host}{via}. Nothing is downloaded until you click Download "
    "Update, and you are asked again before anything is installed."
)
THROUGH_YOUR_PROXY = ", through your proxy {proxy}"
# What Install will do here: the button, and the sentence that says it beforehand.
INSTALL_WORDS = {  # by InstallEffect value
    "restart": (
        "Install and Restart",
        "Installing replaces {product} with the new version and restarts it.",
    ),
    "open-installer": (
        "Quit and Open Installer",
        "Installing quits {product} and opens the installer; finish there.",
    ),
    "cannot-replace": (
        "",
        "This copy of {product} cannot replace itself. The verified file is kept at "
        "{path}; install it yourself.",
    ),
}


# -------------------------------------------------------------------------- the history, in words
# The export buttons under the history (label, then its name for screen readers).
EXPORT_HAR_BUTTON = "Export HAR…"
EXPORT_HAR_NAME = "Export HAR"
EXPORT_HTTP_BUTTON = "Export .http…"
EXPORT_HTTP_NAME = "Export .http"
EXPORT_JSON_BUTTON = "Export JSON…"
EXPORT_JSON_NAME = "Export JSON"
EXPORT_HAR = "HAR 1.2 (*.har)"
EXPORT_HTTP = "HTTP requests for runners (*.http)"
EXPORT_JSON = "JSON (*.json)"
ROW_SUCCEEDED = "succeeded"  # how an exchange ended, for screen readers
ROW_WENT_ON = "went on"
ROW_CANCELLED = "cancelled"
ROW_FAILED = "failed"
ENTRY_LABEL = "{kind} at {stamp}"  # a request as a person names it
IDENTICAL_REQUESTS = "The {previous} and the {current} sent byte-for-byte identical requests.\n"


# ------------------------------------------------------------ a background job failed (runner.py)
A_LOCAL_FILE = "a local file"  # what could not be written, when nothing more is known
JOB_FAILED = "unexpected error ({kind}: {error}); please report it"
