"""The place of work of a posting (``jobLocation``): its district and coordinates, from the address or ``geo``."""

from __future__ import annotations

from typing import Any

from matching.geo import haversine_km_scalar as haversine_km
from service.job_postings.context import PostingContext
from service.job_postings.readers import describe, join_path, read_number, text_of

#: A district is taken from coordinates alone only within this distance of its headquarters.
GEO_DISTRICT_RADIUS_KM = 40.0
#: Coordinates farther than this from the headquarters of the district named by the address are not used.
GEO_ADDRESS_TOLERANCE_KM = 150.0

Notes = list[tuple[str, str]]  # (JSON path, why it is not used)
Found = tuple[Any, float, float, Notes]  # (district, lat, lon, notes)


class Places(PostingContext):
    def location(self) -> None:
        raw = self.take("jobLocation")
        path = self.at("jobLocation")
        if raw is None or raw == []:
            self.error(path, f"missing: an opening needs a place of work in {self.site_name}; give a Place with an"
                             " address (addressLocality: the district or town) or geo coordinates")
            return
        places = [(join_path(path, i), p) for i, p in enumerate(raw)] if isinstance(raw, list) else [(path, raw)]
        results = [(place_path, self.place(place, place_path)) for place_path, place in places]
        chosen = next(((p, r) for p, r in results if not isinstance(r, str)), None)
        if chosen is None:
            if len(results) == 1:
                self.error(path, f"no district of {self.site_name} found: {results[0][1]}")
            else:
                self.error(path, f"no district of {self.site_name} found in any of the {len(results)} locations: "
                           + "; ".join(f"{p}: {r}" for p, r in results))
            return
        chosen_path, (district, lat, lon, notes) = chosen
        self.opening.update(district=district.name, lat=lat, lon=lon)
        for note_path, reason in notes:
            self.skip(note_path, reason)
        for place_path, result in results:
            if place_path == chosen_path:
                continue
            reason = (f"one opening per location: post each location as its own JobPosting (this posting was mapped"
                      f" to {district.name}, from {chosen_path})")
            if isinstance(result, str):
                reason += f"; this location was not understood either: {result}"
            self.skip(place_path, reason)

    def place(self, place: Any, path: str) -> Found | str:
        """(district, lat, lon, notes) for a Place, or why no district was found."""
        if isinstance(place, str):
            place = {"address": place}
        if not isinstance(place, dict):
            return f"is {describe(place)}, not a Place"
        notes: Notes = []
        named = self.address_district(place.get("address"), join_path(path, "address"), notes)
        if isinstance(named, str):
            return named
        district, tried = named
        geo = place.get("geo")
        geo_path = join_path(path, "geo")
        coordinates = self.coordinates(geo, geo_path, notes)
        geo_problem = None
        if district is None and coordinates is not None:
            district, geo_problem = self.district_near(coordinates)
        elif district is not None and coordinates is not None:
            coordinates = self.near_district(coordinates, district, geo_path, notes)
        if district is None:
            return self.no_district(tried, geo, geo_problem)
        lat, lon = coordinates if coordinates is not None else (district.lat, district.lon)
        return district, lat, lon, notes

    def address_district(self, address: Any, address_path: str, notes: Notes) -> tuple[Any, list[str]] | str:
        """The district an address names (or None) and what was tried; or why the address is refused. Notes
        what of the address is not used."""
        tried: list[str] = []
        district = None
        address_is_text = isinstance(address, str)
        if address_is_text:
            address = {"streetAddress": address}
        if isinstance(address, dict):
            country = address.get("addressCountry")
            country = text_of(country) if isinstance(country, dict) else country
            if isinstance(country, str) and len(country.strip()) == 2 \
                    and country.strip().upper() != self.reference.site.country.upper():
                return f"addressCountry '{country}' is not {self.reference.site.country}"
            district = self.resolve_address(address, address_is_text, tried)
            if district is not None:
                for key in ("streetAddress", "postalCode"):
                    if key in address:
                        notes.append((address_path if address_is_text else join_path(address_path, key),
                                      "the opening records the district and coordinates only, not the street"
                                      " address"))
        elif address is not None:
            notes.append((address_path, f"is {describe(address)}, not a PostalAddress"))
        return district, tried

    def resolve_address(self, address: dict[str, Any], address_is_text: bool, tried: list[str]) -> Any:
        """The first district found in addressLocality, addressRegion, then streetAddress (each whole, then each
        comma-separated part), or None; each field looked at is added to ``tried``."""
        gazetteer = self.reference.site.gazetteer
        for key in ("addressLocality", "addressRegion", "streetAddress"):
            text = address.get(key)
            if not isinstance(text, str) or not text.strip():
                continue
            tried.append(f"{'address' if address_is_text else key} '{text.strip()}'")
            for part in [text, *text.split(",")]:
                district = gazetteer.resolve(part.strip())
                if district is not None:
                    return district
        return None

    @staticmethod
    def coordinates(geo: Any, geo_path: str, notes: Notes) -> tuple[float, float] | None:
        """Usable GeoCoordinates (latitude, longitude), or None (noted when given but not usable)."""
        if geo is None:
            return None
        lat = read_number(geo.get("latitude")) if isinstance(geo, dict) else None
        lon = read_number(geo.get("longitude")) if isinstance(geo, dict) else None
        if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
            notes.append((geo_path, "not used: give GeoCoordinates with numeric latitude (-90..90) and longitude"
                                    " (-180..180)"))
            return None
        return lat, lon

    def district_near(self, coordinates: tuple[float, float]) -> tuple[Any, str | None]:
        """The district whose headquarters are nearest, if within GEO_DISTRICT_RADIUS_KM; else None and why not."""
        lat, lon = coordinates
        gazetteer = self.reference.site.gazetteer
        nearest = gazetteer.nearest(lat, lon) if hasattr(gazetteer, "nearest") else min(
            gazetteer, key=lambda d: haversine_km(lat, lon, d.lat, d.lon))
        distance = haversine_km(lat, lon, nearest.lat, nearest.lon)
        if distance <= GEO_DISTRICT_RADIUS_KM:
            return nearest, None
        return None, (f"geo ({lat:g}, {lon:g}) is {distance:.0f} km from the nearest district headquarters"
                      f" ({nearest.name}), more than {GEO_DISTRICT_RADIUS_KM:.0f} km")

    @staticmethod
    def near_district(coordinates: tuple[float, float], district: Any, geo_path: str,
                      notes: Notes) -> tuple[float, float] | None:
        """The coordinates, unless farther than GEO_ADDRESS_TOLERANCE_KM from the district the address names."""
        lat, lon = coordinates
        distance = haversine_km(lat, lon, district.lat, district.lon)
        if distance > GEO_ADDRESS_TOLERANCE_KM:
            notes.append((geo_path, f"not used: ({lat:g}, {lon:g}) is {distance:.0f} km from {district.name},"
                                    " the district the address names; the district's centre is used instead"))
            return None
        return coordinates

    def no_district(self, tried: list[str], geo: Any, geo_problem: str | None) -> str:
        """Why no district was found, from the address and from geo."""
        reasons = []
        if tried:
            reasons.append(f"{' and '.join(tried)} {'names' if len(tried) == 1 else 'name'} no district in the"
                           f" {self.site_name} gazetteer")
        else:
            reasons.append("there is no address (addressLocality, addressRegion)")
        if geo_problem:
            reasons.append(geo_problem)
        elif geo is None:
            reasons.append("there are no geo coordinates")
        else:
            reasons.append("the geo coordinates are not valid")
        return "; ".join(reasons)

    def location_type(self) -> None:
        value = self.take("jobLocationType")
        if value is None:
            return
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and v.strip().upper() == "TELECOMMUTE" for v in values):
            self.skip(self.at("jobLocationType"), "jobmatch has no remote openings: the opening is placed at its"
                                                  " jobLocation; a job done from home is not recorded as such")
        else:
            self.skip(self.at("jobLocationType"), "not used by jobmatch: only TELECOMMUTE is a schema.org value")
