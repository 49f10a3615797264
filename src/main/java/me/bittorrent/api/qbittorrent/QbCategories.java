package me.bittorrent.api.qbittorrent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * qBittorrent categories: the engine's categories (name and save path, kept in the preferences). A torrent added with
 * a category and no savepath downloads into the category's save path. Sonarr creates its category without a save
 * path: "" means the default download folder.
 */
@ApplicationScoped
class QbCategories {

    @Inject
    DownloadEngine engine;

    void list(QbRequest r) {
        r.json(view());
    }

    /** {name: {name, savePath}}, as torrents/categories and sync/maindata show them. */
    Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        engine.categories().forEach((name, path) -> out.put(name, Map.of("name", name, "savePath", path)));
        return out;
    }

    void create(QbRequest r) {
        engine.saveCategory(r.param("category"), r.param("savePath"), false)
                .subscribe().with(ok -> r.text(""), r::fail);
    }

    void edit(QbRequest r) {
        engine.saveCategory(r.param("category"), r.param("savePath"), true)
                .subscribe().with(ok -> r.text(""), r::fail);
    }

    void remove(QbRequest r) {
        engine.removeCategories(Arrays.asList(r.required("categories").split("[\\r\\n]+")))
                .subscribe().with(ok -> r.text(""), r::fail);
    }
}
