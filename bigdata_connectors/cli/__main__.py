"""``python -m bigdata_connectors.cli``: the same as the ``bigdata-connectors`` console script."""

from bigdata_connectors.cli._app import main

if __name__ == "__main__":
    main()
