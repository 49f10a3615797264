package me.bittorrent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every JSON body in snake_case. Set here in code rather than with {@code quarkus.jackson.property-naming-strategy}:
 * Quarkus instantiates that strategy by name through reflection at run time and does not register it for the
 * native image, so the native executable failed every JSON route with a ClassNotFoundException.
 */
@Singleton
public class SnakeCaseJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }
}
