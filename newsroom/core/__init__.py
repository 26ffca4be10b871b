"""
The lowest layer: pure helpers that the models need and that import no model.

``html`` cleans article bodies, ``search_document`` turns text into search
tokens, ``renditions`` names and makes the resized copies of images, and
``content_version`` is the version every cached page and fragment is kept
under. Models import from here; services and views may too; nothing here
imports ``newsroom.models``, ``newsroom.services`` or ``newsroom.views``.
"""
