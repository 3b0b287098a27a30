"""``python -m bigdata_connectors.testing``: serve the emulator on loopback until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bigdata_connectors.testing._emulator import Emulator


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        api_key=args.api_key,
        host=args.host,
        port=args.port,
        sync_duration=args.sync_duration,
        force_delete_delay=args.force_delete_delay,
        seed=args.seed,
        tls=args.tls,
        rate_limit=args.rate_limit,
    )
    async with emulator:
        emulator.preload(args.preload)
        emulator.list_lag = args.list_lag
        if args.fault_rate:
            emulator.inject(args.fault_rate)
        print(f"Bigdata connectors emulator on {emulator.base_url}", flush=True)
        print(f"  export BIGDATA_BASE_URL={emulator.base_url}", flush=True)
        print(f"  export BIGDATA_API_KEY={emulator.api_key}", flush=True)
        if emulator.tls is not None:
            print(f"  CA certificate to trust: {emulator.ca_path}", flush=True)
            print(
                f"  (BigdataClient(ssl={emulator.ca_path!r}), or export SSL_CERT_FILE={emulator.ca_path})", flush=True
            )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bigdata_connectors.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"])
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="the key clients must send (default: a random one)")
    parser.add_argument("--sync-duration", type=float, default=3.0, help="seconds a sync takes")
    parser.add_argument("--force-delete-delay", type=float, default=1.0, help="seconds until a force delete completes")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="fraction of requests answered with a fault")
    parser.add_argument("--seed", type=int, default=None, help="seed for fault injection")
    parser.add_argument("--preload", type=int, default=0, help="investment_research connectors to start with")
    parser.add_argument("--list-lag", type=float, default=0.0, help="seconds a new connector stays out of the list")
    parser.add_argument("--tls", action="store_true", help="serve https:// with a CA minted now (printed)")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per key a minute before 429")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
