"""``fibrolang serve``: compile the guidelines, then run the CDS Hooks service with uvicorn."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def run(
    guidelines: Sequence[Path],
    host: str,
    port: int,
    compile_graph: Callable[[Path], dict[str, Any]],
    echo: Callable[..., Any],
) -> None:
    try:
        import uvicorn

        from compiler.serve.app import create_app
    except ImportError as error:
        echo(
            f"error: fibrolang serve needs the serve extra ({error.name} is missing): "
            "pip install 'fibrolang[serve]'",
            err=True,
        )
        sys.exit(2)
    graphs = [compile_graph(path) for path in guidelines]
    app = create_app(graphs)
    for service in app.state.services.values():
        echo(
            f"serving {service.id} ({service.hook}) at http://{host}:{port}/cds-services/{service.id}",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
