"""A kopf operator for the custom resource test: each Gadget's status
follows its spec, and its deletion is recorded in a file (RECORD_DIR)."""

import os
import pathlib

import kopf


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    settings.posting.enabled = True
    settings.watching.server_timeout = 10


@kopf.on.create("example.com", "v1", "gadgets")
def created(spec, patch, **_):
    patch.status["replicas"] = spec.get("size", 0)
    patch.status["phase"] = "Created"


@kopf.on.update("example.com", "v1", "gadgets")
def updated(spec, patch, **_):
    patch.status["replicas"] = spec.get("size", 0)
    patch.status["phase"] = "Updated"


@kopf.on.delete("example.com", "v1", "gadgets")
def deleted(name, **_):
    pathlib.Path(os.environ["RECORD_DIR"], f"deleted-{name}").write_text("done")
