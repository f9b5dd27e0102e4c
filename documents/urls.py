from django.urls import path

from documents.views import drafting, imports, versions

app_name = "documents"

urlpatterns = [
    path("networks/<int:pk>/documents/", drafting.network_documents, name="network_documents"),
    path("networks/<int:pk>/documents/import/", imports.import_docx, name="import"),
    path("imports/<int:pk>/", imports.import_status, name="import_status"),
    path("documents/<int:pk>/", drafting.document_detail, name="detail"),
    path("documents/<int:pk>/sections/new/", drafting.section_add, name="section_add"),
    path("documents/<int:pk>/sections/<str:key>/edit/", drafting.section_edit, name="section_edit"),
    path(
        "documents/<int:pk>/sections/<str:key>/remove/",
        drafting.section_delete,
        name="section_delete",
    ),
    path("documents/<int:pk>/sections/<str:key>/move/", drafting.section_move, name="section_move"),
    path(
        "documents/<int:pk>/sections/<str:key>/history/",
        versions.section_history,
        name="section_history",
    ),
    path(
        "documents/<int:pk>/sections/<str:key>/history/<int:history_id>/restore/",
        versions.section_restore,
        name="section_restore",
    ),
    path("documents/<int:pk>/publish/", drafting.publish, name="publish"),
    path("documents/<int:pk>/versions/", versions.version_list, name="versions"),
    path("documents/<int:pk>/versions/<int:number>/", versions.version_detail, name="version"),
    path("documents/<int:pk>/versions/<int:number>/word/", versions.export_docx, name="export"),
    path("documents/<int:pk>/compare/", versions.compare, name="compare"),
    path("documents/<int:pk>/history/", versions.document_history, name="history"),
]
