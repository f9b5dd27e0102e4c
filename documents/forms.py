from django import forms
from django.utils.translation import gettext_lazy as _

from documents.docx_io import MAX_BYTES
from documents.models import Document


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=300)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        # data-editor: static/js/editor.js puts the word-processor editor over this textarea; the
        # textarea stays in the form and receives Markdown, and is what people use without it.
        widget=forms.Textarea(attrs={"rows": 14, "data-editor": "markdown"}),
        help_text=_(
            "Format the text with the toolbar, or paste it from Word: headings, lists and "
            "tables come along. As plain text: a blank line starts a new paragraph, and a line "
            "starting with “- ” is a bullet."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PublishForm(forms.Form):
    label = forms.CharField(
        label=_("Name of the version"),
        max_length=200,
        help_text=_("For example “Remissversion augusti 2022”."),
    )
    change_summary = forms.CharField(
        label=_("What has changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences for the readers: what is new since the last version."),
    )
    editorial = forms.BooleanField(
        label=_("An editorial change only (spelling, layout)"),
        required=False,
        help_text=_(
            "Then the endorsements of the version before still count. Your name is recorded "
            "with this mark."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Word file (.docx)"),
        help_text=_("At most 20 MB. Headings in the file become the sections of the document."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document"
            }
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the title in the Word file."),
    )
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 20 MB. Make it smaller (for example, compress the "
                    "pictures in Word) and try again."
                )
            )
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(
                _(
                    "This file is not a Word document (.docx). Save it as .docx in Word and try "
                    "again; older .doc files must be saved as .docx first."
                )
            )
        return upload
