from __future__ import annotations

from django.urls import path

from chibo.recruitment import exports

urlpatterns = [
    path("ket-nap/<int:pk>/nghi-quyet.pdf", exports.candidate_resolution_pdf, name="candidate-resolution-pdf"),
    path("dang-vien/<int:pk>/cong-nhan/nghi-quyet.pdf", exports.recognition_resolution_pdf,
         name="recognition-resolution-pdf"),
]
