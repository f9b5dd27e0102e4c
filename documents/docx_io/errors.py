"""Why a Word file is refused: DocxError and its subclasses, and the upload size limit."""

from django.utils.translation import gettext_lazy as _

from networks.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024


# The import task records the class name and the page shows the class's default_message, so
# each refusal is a direct subclass of DocxError with its whole message as the default.


class DocxError(DomainError):
    default_message = _("The Word file could not be imported.")


class NotADocx(DocxError):
    # The same msgid as the upload form's check, so there is one translation.
    default_message = _(
        "This file is not a Word document (.docx). Save it as .docx in Word and try again; "
        "older .doc files must be saved as .docx first."
    )


class CorruptDocx(DocxError):
    default_message = _(
        "The Word file could not be read. It may be damaged: open it in Word, save it again and "
        "try again."
    )


class TooLarge(DocxError):
    # The same msgid as the upload form's check. The number is MAX_BYTES.
    default_message = _(
        "The file is larger than 20 MB. Make it smaller (for example, compress the pictures in "
        "Word) and try again."
    )


class EmptyDocx(DocxError):
    default_message = _("The Word file has no text.")


class PasswordProtected(DocxError):
    default_message = _(
        "The Word file is protected with a password. Remove the password in Word (File → Info → "
        "Protect Document), save it and try again."
    )
