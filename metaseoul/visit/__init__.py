"""The visit core: one citizen's visit to the city (world, walker, guide, narrator, city link, alerts,
settings) and the commands they can give. Presenters (the desktop window, the headset, the kiosk's
touch screen) draw it and feed it input; a feature built here appears in all of them."""
