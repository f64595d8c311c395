"""The facts a message tells about its sender: figures, team size, population, territory,
places (communes, postcodes), as a profile."""
