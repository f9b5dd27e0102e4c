"""Word styles that export writes and import recognises."""

# The style of every title-page line except the title; import skips paragraphs in it.
TITLE_PAGE_STYLE = "Samverka Title Page"
