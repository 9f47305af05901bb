"""Download a model checkpoint and unpack it (an example with the mistakes the SAST rules catch)."""

import pickle
import subprocess
import tarfile

import yaml


def fetch(url: str, target: str) -> None:
    subprocess.run(f"curl -sL {url} -o {target}.tar", shell=True, check=True)
    with tarfile.open(f"{target}.tar") as archive:
        archive.extractall(target)


def load_config(path: str) -> dict:
    with open(path) as handle:
        return yaml.load(handle)


def load_weights(path: str):
    with open(path, "rb") as handle:
        return pickle.load(handle)  # nosec B301 -- weights come from our own bucket, checked by sha256
