"""NetCDF-4 files written by h5netcdf itself: :class:`NetcdfContent` (what a file holds,
without xarray) and how it is written. :mod:`forecast.io.writers` registers it for every
``.nc`` file the tool writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _attribute(value: Any) -> Any:
    """An attribute as NetCDF stores it (a boolean as 0 or 1)."""
    return int(value) if type(value).__name__ in ("bool", "bool_") else value


class NetcdfVariable:
    """One variable of a :class:`NetcdfContent`: its dims, values (an ndarray) and attrs."""

    def __init__(self, dims: tuple[str, ...], values: Any, attrs: Mapping[str, Any] | None = None):
        import numpy as np

        self.dims = tuple(dims)
        self.values = np.asarray(values)
        self.attrs: dict[str, Any] = dict(attrs or {})


class NetcdfContent:
    """What a NetCDF file holds, without xarray: variables by name (``content[name].attrs``),
    the names that are coordinates, and global ``attrs``; written by h5netcdf itself with a
    Fletcher-32 checksum on every numeric array, so that saving needs neither xarray nor Dask
    (building an ``xarray.Dataset`` imports ``dask``, ``to_netcdf`` ``dask.distributed``).
    :meth:`to_xarray` gives the same content as a Dataset, read back identically.

    Parameters
    ----------
    variables : mapping of NetcdfVariable
    coords : sequence of str
        The names among ``variables`` that are coordinates.
    attrs : mapping
    """

    def __init__(self, variables: Mapping[str, NetcdfVariable], coords: Iterable[str] = (),
                 attrs: Mapping[str, Any] | None = None):
        self.variables = dict(variables)
        self.coords = [c for c in coords if c in self.variables]
        self.attrs: dict[str, Any] = dict(attrs or {})

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> NetcdfVariable:
        return self.variables[name]

    @property
    def sizes(self) -> dict[str, int]:
        """Every dimension and its length, in order of appearance."""
        sizes: dict[str, int] = {}
        for variable in self.variables.values():
            sizes.update(zip(variable.dims, variable.values.shape))
        return sizes

    @classmethod
    def of(cls, dataset: Any) -> "NetcdfContent | None":
        """The content of an ``xarray.Dataset``, or None if a variable holds what only xarray
        encodes (dates, objects other than text)."""
        variables = {}
        for name, variable in dataset.variables.items():
            values = variable.values
            if values.dtype.kind not in "fiubUO" or (values.dtype.kind == "O" and not all(
                    isinstance(x, str) for x in values.ravel())):
                return None
            variables[str(name)] = NetcdfVariable(variable.dims, values, variable.attrs)
        dims = [str(d) for d in dataset.dims]
        return cls({**{d: variables[d] for d in dims if d in variables}, **variables},
                   [str(c) for c in dataset.coords], dataset.attrs)

    def to_xarray(self):
        """The same content as an ``xarray.Dataset``."""
        import xarray as xr

        def variable(name: str) -> Any:
            v = self.variables[name]
            return xr.Variable(v.dims, v.values, v.attrs)

        return xr.Dataset({n: variable(n) for n in self.variables if n not in self.coords},
                          coords={n: variable(n) for n in self.coords}, attrs=self.attrs)

    def write(self, stream: Any) -> None:
        """Write as NetCDF-4 into the binary ``stream`` (the file xarray's ``to_netcdf`` with
        engine h5netcdf writes for the same content, with checksums)."""
        import h5netcdf
        import h5py
        import numpy as np

        sizes = self.sizes
        index = [d for d in sizes if d in self.variables]
        others = [c for c in self.coords if c not in index]
        data = [n for n in self.variables if n not in self.coords]
        with h5netcdf.File(stream, "w") as file:
            file.dimensions = sizes
            for name in [*index, *[n for n in self.variables if n not in index]]:
                variable = self.variables[name]
                attrs = {k: _attribute(v) for k, v in variable.attrs.items()}
                values = variable.values
                if values.dtype.kind == "b":
                    values, attrs["dtype"] = values.astype(np.int8), "bool"
                elif values.dtype.kind in "UO":
                    values = values.astype(object)
                if name in data:
                    listed = [c for c in others if set(self.variables[c].dims) <=
                              set(variable.dims)]
                    if listed:
                        attrs["coordinates"] = " ".join(listed)
                text = values.dtype.kind == "O"
                created = file.create_variable(
                    name, variable.dims, dtype=h5py.string_dtype() if text else values.dtype,
                    data=values, fletcher32=not text and values.ndim > 0)
                created.attrs.update(attrs)
            attrs = {k: _attribute(v) for k, v in self.attrs.items()}
            loose = [c for c in others if not any(
                set(self.variables[c].dims) <= set(self.variables[n].dims) for n in data)]
            if loose:
                attrs["coordinates"] = " ".join(loose)
            file.attrs.update(attrs)


__all__ = ["NetcdfContent", "NetcdfVariable"]
